// What each part of the runs lens says and runs, from a file's summary.
import assert from 'node:assert/strict';
import { lensPart, LENS_PARTS, type LensContext } from '../../../src/host/codeLens/lensParts.ts';
import type { FileRun, FileRunsSummary } from '../../../src/core/runsInCode/fileRuns.ts';
import { formatAgo } from '../../../src/shared/format.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const run = (runId: string, runName: string, status: string, minutesAgo: number, launched = true): FileRun => ({ runId, runName, status, startTime: NOW - minutesAgo * 60_000 - 1000, endTime: NOW - minutesAgo * 60_000, launched });
const context: LensContext = { rootId: 'local', kind: 'script', filter: "tags.`mlflow.source.name` IN ('a.py')", now: NOW };

describe('host/codeLens: the parts of the runs lens', () => {
  const summary: FileRunsSummary = {
    count: 12,
    recent: [run('r12', 'crashed', 'FAILED', 5), run('r11', 'x', 'FINISHED', 60)],
    best: { run: run('r3', 'rf-300', 'FINISHED', 125), metric: 'accuracy', value: 0.914, direction: 'higher' },
  };

  it('reads as the issue shows it', () => {
    const titles = LENS_PARTS.map((p) => lensPart(p, summary, context)?.title);
    assert.equal(titles.join(' · '), '12 runs · best accuracy 0.914 (run "rf-300", 2 h ago) · last: FAILED 5 min ago · Compare · Run with Tracking');
  });

  it('runs the commands the parts name', () => {
    assert.deepEqual(lensPart('count', summary, context)?.arguments, [context.filter]);
    assert.deepEqual(lensPart('best', summary, context)?.arguments, [{ rootId: 'local', runId: 'r3' }]);
    const last = lensPart('last', summary, context);
    assert.equal(last?.command, 'labbook.codeLens.openRunLog');
    assert.deepEqual(last?.arguments, [{ rootId: 'local', runId: 'r12' }]);
    const compare = lensPart('compare', summary, context);
    assert.equal(compare?.command, 'labbook.compareRuns');
    assert.deepEqual(compare?.arguments, [undefined, [{ rootId: 'local', runId: 'r12' }, { rootId: 'local', runId: 'r11' }]]);
    assert.equal(lensPart('run', summary, context)?.command, 'labbook.runPythonFile');
    assert.equal(lensPart('run', summary, { ...context, kind: 'notebook' })?.command, 'labbook.runNotebook');
  });

  it('leaves out what it cannot say: no best without a metric, no Compare for one run, details for a run without a log', () => {
    const one: FileRunsSummary = { count: 1, recent: [run('r1', 'mlflow-run', 'FINISHED', 0, false)] };
    assert.equal(lensPart('count', one, context)?.title, '1 run');
    assert.equal(lensPart('best', one, context), undefined);
    assert.equal(lensPart('compare', one, context), undefined);
    const last = lensPart('last', one, context);
    assert.equal(last?.title, 'last: FINISHED just now');
    assert.equal(last?.command, 'labbook.openRunDetails');
    assert.equal(lensPart('count', { count: 0, recent: [] }, context), undefined);
  });

  it('says how long ago in its largest unit', () => {
    assert.equal(formatAgo(NOW, NOW), 'just now');
    assert.equal(formatAgo(NOW + 5000, NOW), 'just now');
    assert.equal(formatAgo(NOW - 59 * 60_000, NOW), '59 min ago');
    assert.equal(formatAgo(NOW - 47 * 3_600_000, NOW), '47 h ago');
    assert.equal(formatAgo(NOW - 72 * 3_600_000, NOW), '3 d ago');
  });
});
