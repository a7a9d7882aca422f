// Retraining triggers: `retrain.when` read and refused; the decision from the hashes a run recorded
// against real fingerprints of real files (changed, unchanged, missing, never recorded); drift
// shares against the threshold; the tags that link the new run to the change; the recipe file
// parser and the shipped runs.json schema agreeing on what is valid (check-jsonschema).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fingerprintData } from '../../../src/core/launch/fingerprintData.ts';
import { dataChange, decideRetrain, parseRetrain, parseWhen, RETRAIN_TAGS, type RetrainSpec } from '../../../src/core/retrain/retrainSpec.ts';
import { parseRecipes } from '../../../src/core/launch/recipes.ts';
import { runPython } from '../../support/python.ts';

const SCHEMA = path.resolve(import.meta.dirname, '..', '..', '..', 'schemas', 'runs.schema.json');

/** A problem as its message; anything else as JSON (so a wrong success shows in the failure). */
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function spec(when: string): RetrainSpec {
  const parsed = parseRetrain({ when });
  assert.ok(parsed && typeof parsed !== 'string', JSON.stringify(parsed));
  return parsed;
}

describe('retrain: triggers', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-retrain-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads "when": data-changed, drift > share or percentage, schedule; refuses the rest with a reason', () => {
    assert.deepEqual(parseWhen('data-changed'), { kind: 'data-changed' });
    assert.deepEqual(parseWhen(' drift>0.3 '), { kind: 'drift', threshold: 0.3 });
    assert.deepEqual(parseWhen('drift > 25%'), { kind: 'drift', threshold: 0.25 });
    assert.deepEqual(parseWhen('schedule'), { kind: 'schedule' });
    assert.match(text(parseWhen('drift > 1.5')), /between 0 and 1/);
    assert.match(text(parseWhen('weekly')), /must be "data-changed", "drift > 0.3" or "schedule", got "weekly"/);
    assert.equal(parseRetrain(undefined), undefined);
    assert.match(text(parseRetrain('data-changed')), /must be an object/);
    assert.match(text(parseRetrain({ when: 'schedule', schedule: 'daily' })), /five-field cron/);
    assert.deepEqual(parseRetrain({ when: 'schedule', schedule: '0 6 * * *', paths: ['data/a.csv'] }), { when: { kind: 'schedule' }, text: 'schedule', paths: ['data/a.csv'], schedule: '0 6 * * *' });
  });

  it('compares real fingerprints with what the last run recorded: changed, unknown, missing', async () => {
    writeFileSync(path.join(dir, 'train.csv'), 'x,y\n1,2\n');
    writeFileSync(path.join(dir, 'extra.csv'), 'x\n1\n');
    const before = await fingerprintData(['train.csv', 'extra.csv'], dir);
    const recorded = new Map(before.entries.map((e) => [`./${e.path}`, e.sha256 ?? null]));
    recorded.delete('./extra.csv');
    const same = await fingerprintData(['train.csv', 'extra.csv', 'gone.csv'], dir);
    assert.deepEqual(dataChange(recorded, same.entries), { changed: [], unknown: ['extra.csv'], missing: ['gone.csv'] });
    assert.equal(decideRetrain(spec('data-changed'), { recipe: 'train', previousRunId: 'r1', change: dataChange(recorded, same.entries) }).retrain, false);

    writeFileSync(path.join(dir, 'train.csv'), 'x,y\n1,2\n3,4\n');
    const after = await fingerprintData(['train.csv'], dir);
    const change = dataChange(recorded, after.entries);
    assert.deepEqual(change.changed, ['train.csv']);
    const decision = decideRetrain(spec('data-changed'), { recipe: 'train', previousRunId: 'r1', change });
    assert.ok(decision.retrain);
    assert.deepEqual(decision.tags, { [RETRAIN_TAGS.trigger]: 'data-changed', [RETRAIN_TAGS.previousRun]: 'r1', [RETRAIN_TAGS.changedPaths]: 'train.csv', [RETRAIN_TAGS.recipe]: 'train' });
    assert.match(decision.reason, /train\.csv changed since the last run of "train"/);
  });

  it('drift > X: retrains only above the threshold, with the share as a tag; schedule never retrains here', () => {
    const change = { changed: ['data/train.csv'], unknown: [], missing: [] };
    const facts = { recipe: 'fit', previousRunId: 'abc', change };
    const below = decideRetrain(spec('drift > 0.3'), { ...facts, driftShare: 0.25 });
    assert.equal(below.retrain, false);
    assert.match(below.reason, /25% of its columns drifted, not above 30%/);
    assert.equal(decideRetrain(spec('drift > 0.3'), { ...facts, driftShare: 0.3 }).retrain, false);
    assert.equal(decideRetrain(spec('drift > 0.3'), facts).retrain, false);
    const above = decideRetrain(spec('drift > 0.3'), { ...facts, driftShare: 0.5 });
    assert.ok(above.retrain);
    assert.equal(above.tags[RETRAIN_TAGS.trigger], 'drift');
    assert.equal(above.tags[RETRAIN_TAGS.driftShare], '0.5');
    const scheduled = decideRetrain(spec('schedule'), facts);
    assert.equal(scheduled.retrain, false);
    assert.match(scheduled.reason, /schedules run in CI \(Add CI Workflow…\)/);
    const many = { changed: Array.from({ length: 500 }, (_, i) => `data/part-${i}-with-a-long-name.parquet`), unknown: [], missing: [] };
    const long = decideRetrain(spec('data-changed'), { ...facts, change: many });
    assert.ok(long.retrain && (long.tags[RETRAIN_TAGS.changedPaths]?.length ?? 0) <= 4000);
  });

  it('recipes carry retrain; the parser and the shipped schema accept and refuse the same files', async () => {
    const good = { recipes: [{ name: 'fit', program: 'train.py', dataPaths: ['data/train.csv'], retrain: { when: 'drift > 0.3' } }, { name: 'nightly', program: 'train.py', retrain: { when: 'schedule', schedule: '0 2 * * *' } }] };
    const parsed = parseRecipes(JSON.stringify(good));
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.recipes[0]?.retrain?.when, { kind: 'drift', threshold: 0.3 });
    const bad = { recipes: [{ name: 'fit', program: 'train.py', retrain: { when: 'weekly' } }] };
    const refused = parseRecipes(JSON.stringify(bad));
    assert.equal(refused.recipes.length, 0);
    assert.match(refused.problems.join(), /"fit": "retrain": "when" must be/);
    for (const [doc, code] of [[good, 0], [bad, 1]] as const) {
      const file = path.join(dir, `runs-${code}.json`);
      writeFileSync(file, JSON.stringify(doc));
      const result = await runPython(['-m', 'check_jsonschema', '--schemafile', SCHEMA, file], {}, 60_000);
      assert.equal(result.code, code, result.stdout + result.stderr);
    }
  });
});
