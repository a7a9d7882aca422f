// A param hover's Markdown and chart: values from users' runs are escaped (no links, HTML or
// images of their own), the filter links carry a filter MLflow's syntax reads back to the same key
// and value, and the chart is a script-free SVG image with escaped labels.
import assert from 'node:assert/strict';
import { parseRunFilter } from '../../../src/core/mlflow/searchFilter.ts';
import type { ParamValues } from '../../../src/core/runsInCode/paramValues.ts';
import { paramChartSvg } from '../../../src/host/hovers/paramChart.ts';
import { FILTER_COMMAND, filterCommandUri, paramFilter, paramHoverMarkdown } from '../../../src/host/hovers/paramHoverMarkdown.ts';

const values: ParamValues = {
  key: 'lr',
  metric: 'val_loss',
  direction: 'lower',
  rows: [
    { value: '0.01', runs: 2, metric: 0.21, runId: 'a' },
    { value: '0.1', runs: 1, metric: 0.35, runId: 'b' },
    { value: '1', runs: 1, runId: 'c' },
  ],
};

/** The filters of every command link in the Markdown. */
function commandFilters(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(command:([\w.]+)\?([^ )]+)/g)].map((m) => {
    assert.equal(m[1], FILTER_COMMAND);
    const args = JSON.parse(decodeURIComponent(m[2] ?? '')) as unknown[];
    assert.equal(args.length, 1);
    return String(args[0]);
  });
}

describe('host/hovers: the param hover', () => {
  it('lists the values best first with their metric and run counts, and a filter link', () => {
    const md = paramHoverMarkdown({ values, runCount: 5, fileLabel: 'train.py', defaultText: '0.01' });
    const rows = md.split('\n').filter((l) => l.startsWith('| ['));
    assert.equal(rows.length, 3);
    assert.match(rows[0] ?? '', /^\| \[0\\\.01\].*\| 0\\\.21 \| 2 \|$/);
    assert.match(rows[2] ?? '', /\| – \| 1 \|$/);
    assert.match(md, /4 of 5 runs of train\\\.py/);
    assert.match(md, /lower is better/);
    assert.match(md, /\[Filter runs by this param\]\(command:labbook\.filterRuns\?/);
    // One link per value, then the best value's.
    assert.deepEqual(commandFilters(md), ["params.`lr` = '0.01'", "params.`lr` = '0.1'", "params.`lr` = '1'", "params.`lr` = '0.01'"]);
    assert.match(md, /!\[lr → val\\_loss\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
  });

  it('escapes values that look like Markdown, links or HTML', () => {
    const nasty: ParamValues = { key: 'cfg', rows: [{ value: '[x](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> | "q"', runs: 1, runId: 'a' }] };
    const md = paramHoverMarkdown({ values: nasty, runCount: 1, fileLabel: 'a.py' });
    assert.ok(!/(^|[^\\])</.test(md), 'every < is escaped');
    assert.ok(!md.includes('](command:workbench'), md);
    assert.deepEqual(commandFilters(md), [`params.\`cfg\` = '${nasty.rows[0]?.value ?? ''}'`, `params.\`cfg\` = '${nasty.rows[0]?.value ?? ''}'`]);
    assert.match(md, /no objective metric: set labbook\\\.codeLens\\\.metric/);
    assert.ok(!md.includes('data:image'), 'no chart without a metric');
  });

  it('builds filters that MLflow syntax reads back to the same key and value', () => {
    for (const [key, value] of [['lr', '0.01'], ['optimizer.lr', "it's"], ['weird`key', 'a"b'], ['learning-rate', '1e-3']] as const) {
      const filter = paramFilter(key, value);
      const [clause, ...rest] = parseRunFilter(filter);
      assert.equal(rest.length, 0);
      assert.equal(clause?.entity, 'param');
      assert.equal(clause?.key, key);
      assert.equal(clause?.comparator, '=');
      assert.equal(clause?.value, value);
      assert.deepEqual(JSON.parse(decodeURIComponent(filterCommandUri(filter).split('?')[1] ?? '')), [filter]);
    }
  });

  it('draws a script-free SVG with escaped labels, and nothing with fewer than two measured values', () => {
    const svg = paramChartSvg(values.rows, 'val_loss');
    assert.ok(svg);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.equal((svg.match(/<circle /g) ?? []).length, 2);
    assert.match(svg, /<polyline /);
    assert.ok(!/script|on\w+=|href/i.test(svg));
    const categorical = paramChartSvg([{ value: '<b>&', runs: 1, metric: 1, runId: 'a' }, { value: 'rf', runs: 1, metric: 2, runId: 'b' }], 'm');
    assert.ok(categorical && !categorical.includes('<b>') && categorical.includes('&#60;b&#62;&#38;'));
    assert.ok(!categorical.includes('<polyline'), 'categories are not joined by a line');
    assert.equal(paramChartSvg([{ value: '1', runs: 1, metric: 1, runId: 'a' }, { value: '2', runs: 1, runId: 'b' }], 'm'), undefined);
  });
});
