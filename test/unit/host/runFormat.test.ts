import assert from 'node:assert/strict';
import type { Run } from '../../../src/core/store/types.ts';
import { escapeMarkdown, keyMetrics, runDescription, runTooltipMarkdown } from '../../../src/host/trees/runFormat.ts';

const run: Run = {
  info: {
    runId: 'a'.repeat(32),
    runName: 'baseline <img src=x onerror=alert(1)>',
    experimentId: '1',
    userId: 'ada',
    status: 'FINISHED',
    startTime: Date.UTC(2026, 10, 25, 10, 0, 0),
    endTime: Date.UTC(2026, 10, 25, 10, 4, 5),
    artifactUri: 'mlflow-artifacts:/1/a/artifacts',
    lifecycleStage: 'active',
  },
  data: {
    metrics: [
      { key: 'rmse', value: 0.123456, timestamp: 1, step: 9 },
      { key: 'acc', value: 0.9, timestamp: 1, step: 9 },
      { key: 'loss', value: 1.5e-7, timestamp: 1, step: 9 },
    ],
    params: [{ key: 'model', value: 'rf' }],
    tags: [
      { key: 'mlflow.source.git.commit', value: '0123456789abcdef0123' },
      { key: 'mlflow.note.content', value: 'tried *bold* things' },
      { key: 'stage', value: 'dev' },
    ],
  },
};

describe('host/trees: how runs read in the explorer', () => {
  it('shows the chosen key metrics, else the first two by name, then the duration', () => {
    assert.deepEqual(keyMetrics(run, ['rmse', 'missing']).map((m) => m.key), ['rmse']);
    assert.deepEqual(keyMetrics(run, []).map((m) => m.key), ['acc', 'loss']);
    assert.equal(runDescription(run, ['rmse'], Date.now()), 'rmse 0.123456 · 4 min 5 s');
    const running: Run = { ...run, info: { ...run.info, status: 'RUNNING', endTime: null } };
    assert.equal(runDescription(running, ['acc'], run.info.startTime + 3000), 'acc 0.9 · 3.0 s');
  });

  it('writes a tooltip with params, tags and commit, escaping everything users typed', () => {
    const md = runTooltipMarkdown(run, Date.now());
    assert.match(md, /\*\*baseline \\<img src=x onerror=alert\\\(1\\\)\\>\*\* — Finished/);
    assert.match(md, /Git commit: `0123456789ab`/);
    assert.match(md, /_tried \\\*bold\\\* things_/);
    assert.match(md, /\| model \| rf \|/);
    assert.match(md, /\| stage \| dev \|/);
    assert.doesNotMatch(md, /mlflow\.source\.git\.commit \|/, 'mlflow system tags are not listed as tags');
    assert.equal(escapeMarkdown('[a](b)'), '\\[a\\]\\(b\\)');
  });
});
