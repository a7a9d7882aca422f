import assert from 'node:assert/strict';
import { MetricLineParser, parseMetricLine, type LineRecord } from '../../../src/core/launch/metricLines.ts';

function collect(chunks: string[]): { records: LineRecord[]; parser: MetricLineParser } {
  const records: LineRecord[] = [];
  const parser = new MetricLineParser((r) => records.push(...r));
  for (const c of chunks) parser.push(c);
  parser.end();
  return { records, parser };
}

describe('core/launch: the metric line protocol', () => {
  it('reads the word form: metrics with step and timestamp, params, quoted tags', () => {
    assert.deepEqual(parseMetricLine('labbook: metric loss=0.25 acc=0.9 step=3 timestamp=1700000000000'), [
      { kind: 'metric', key: 'loss', value: 0.25, step: 3, timestamp: 1_700_000_000_000 },
      { kind: 'metric', key: 'acc', value: 0.9, step: 3, timestamp: 1_700_000_000_000 },
    ]);
    assert.deepEqual(parseMetricLine('  labbook:   param lr=0.1 opt=adam\r'), [{ kind: 'param', key: 'lr', value: '0.1' }, { kind: 'param', key: 'opt', value: 'adam' }]);
    assert.deepEqual(parseMetricLine('labbook: tag note="a \\"quoted\\" value" k=v'), [{ kind: 'tag', key: 'note', value: 'a "quoted" value' }, { kind: 'tag', key: 'k', value: 'v' }]);
    const special = parseMetricLine('labbook: metric a=nan b=-inf c=1e-3') as LineRecord[];
    assert.ok(Number.isNaN(special[0]?.value));
    assert.deepEqual(special.slice(1).map((r) => r.value), [Number.NEGATIVE_INFINITY, 0.001]);
  });

  it('reads the JSON form', () => {
    assert.deepEqual(parseMetricLine('labbook: {"metric": "loss", "value": 0.25, "step": 3}'), [{ kind: 'metric', key: 'loss', value: 0.25, step: 3 }]);
    assert.deepEqual(parseMetricLine('labbook: {"metrics": {"a": 1, "b": 2}, "params": {"lr": 0.1}, "tag": "t", "value": "v"}'), [
      { kind: 'metric', key: 'a', value: 1 }, { kind: 'metric', key: 'b', value: 2 }, { kind: 'param', key: 'lr', value: '0.1' }, { kind: 'tag', key: 't', value: 'v' },
    ]);
  });

  it('ignores ordinary output and refuses malformed labbook lines with a reason', () => {
    assert.equal(parseMetricLine('epoch 3: loss=0.2'), null);
    for (const bad of ['labbook: metric loss=high', 'labbook: metric step=3', 'labbook: metric loss=1 step=1.5', 'labbook: gauge x=1', 'labbook: {"metric": "x"}', 'labbook: {oops', 'labbook: param novalue', 'labbook: metric bad!key=1', 'labbook: tag k="unclosed']) {
      assert.equal(typeof parseMetricLine(bad), 'string', bad);
    }
  });

  it('handles chunks split anywhere, counts bad lines and never throws', () => {
    const text = 'hello\nlabbook: metric loss=1 step=0\nlabbook: metric loss=oops\nlabbook: {"metric": "loss", "value": 2, "step": 1}\nlabbook: metric loss=3 step=2';
    const whole = collect([text]);
    for (let size = 1; size <= 7; size++) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
      const split = collect(chunks);
      assert.deepEqual(split.records, whole.records, `chunk size ${size}`);
      assert.equal(split.parser.warnings, 1);
    }
    assert.deepEqual(whole.records.map((r) => r.kind === 'metric' && [r.step, r.value]), [[0, 1], [1, 2], [2, 3]]);
    assert.match(whole.parser.warningSamples[0] ?? '', /not a number/);
  });

  it('skips a runaway line without holding it in memory', () => {
    const { records, parser } = collect(['labbook: metric x=1 ', 'y'.repeat(300 * 1024), '\nlabbook: metric ok=1\n']);
    assert.deepEqual(records, [{ kind: 'metric', key: 'ok', value: 1 }]);
    assert.equal(parser.warnings, 1);
  });
});
