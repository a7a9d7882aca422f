import assert from 'node:assert/strict';
import { flattenFacts, parseFingerprints, readRunCode, readRunEnvironment, readRunFingerprints, readRunLog, requirementLines } from '../../../src/core/runDetails/launchFiles.ts';
import { LOG_LINES, SOURCE, seedStore, type Seeded } from './seedRuns.ts';

describe('core/runDetails: the files a Labbook launch records', () => {
  let seeded: Seeded;
  before(async () => {
    seeded = await seedStore();
  });
  after(async () => seeded.close());

  it('reads the whole log when it is small, and says it is not running', async () => {
    const { log, tail, running } = await readRunLog(seeded.store, seeded.launched);
    assert.equal(tail, true);
    assert.equal(running, false);
    assert.equal(log?.truncated, false);
    assert.equal(log?.text, `${LOG_LINES.join('\n')}\n`);
    assert.equal(log?.path, 'labbook/logs/output.log');
  });

  it('tails a long log from a line start, and reads all of it on request', async () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `step ${i} ${'x'.repeat(10)}`);
    const text = `${lines.join('\n')}\n`;
    await seeded.store.writeArtifact(seeded.plain, 'labbook/logs/output.log', new TextEncoder().encode(text));
    const tail = await readRunLog(seeded.store, seeded.plain);
    assert.ok(tail.log && tail.log.truncated);
    assert.ok(tail.log.text.length <= 256 * 1024);
    assert.ok(tail.log.text.endsWith(`${lines[39_999]}\n`));
    assert.match(tail.log.text, /^step \d+ x{10}\n/);
    assert.equal(tail.log.size, text.length);
    const all = await readRunLog(seeded.store, seeded.plain, { all: true });
    assert.deepEqual([all.tail, all.log?.truncated, all.log?.text.length], [false, false, text.length]);
    assert.equal(all.running, true);
  });

  it('has no log, code, environment or fingerprints for a run not launched by Labbook', async () => {
    const other = (await seeded.store.createRun({ experimentId: seeded.experimentId })).info.runId;
    assert.equal((await readRunLog(seeded.store, other)).log, null);
    assert.deepEqual(await readRunCode(seeded.store, other), { source: null, snapshot: null, patch: null });
    assert.deepEqual(await readRunEnvironment(seeded.store, other), { facts: null, requirements: null, problems: [] });
    assert.deepEqual(await readRunFingerprints(seeded.store, other), { fingerprints: null, combined: null, problems: [] });
  });

  it('reads the snapshot named by labbook.source.snapshot and the git patch', async () => {
    const code = await readRunCode(seeded.store, seeded.launched);
    assert.equal(code.source, SOURCE);
    assert.deepEqual(code.snapshot, { path: 'labbook/code/src/train.py', text: 'import mlflow\nprint("training")\n', size: 32, truncated: false });
    assert.match(code.patch?.text ?? '', /^diff --git a\/src\/train.py/);
  });

  it('finds the snapshot beside git.patch when no tag names it', async () => {
    const run = (await seeded.store.createRun({ experimentId: seeded.experimentId })).info.runId;
    await seeded.store.writeArtifact(run, 'labbook/code/job.py', new TextEncoder().encode('print(1)\n'));
    await seeded.store.writeArtifact(run, 'labbook/code/git.patch', new TextEncoder().encode(''));
    const code = await readRunCode(seeded.store, run);
    assert.equal(code.snapshot?.path, 'labbook/code/job.py');
    assert.equal(code.patch?.text, '');
  });

  it('flattens environment.json and lists requirements without comments', async () => {
    const env = await readRunEnvironment(seeded.store, seeded.launched);
    assert.deepEqual(env.facts, [
      { key: 'python', value: '/usr/bin/python3' },
      { key: 'version', value: '3.12.3' },
      { key: 'os', value: 'Linux' },
      { key: 'cpu.model', value: 'EPYC' },
      { key: 'cpu.cores', value: '2' },
      { key: 'gpu', value: 'null' },
      { key: 'memory', value: '8000000000' },
    ]);
    assert.deepEqual(env.requirements, ['numpy==2.1.0', 'scikit-learn==1.5.2']);
    assert.deepEqual(env.problems, []);
    assert.deepEqual(flattenFacts({ gpus: [{ name: 'A' }, { name: 'B' }], tags: ['x', 'y'], empty: {}, none: [] }), [
      { key: 'gpus[0].name', value: 'A' },
      { key: 'gpus[1].name', value: 'B' },
      { key: 'tags', value: 'x, y' },
      { key: 'empty', value: '{}' },
      { key: 'none', value: '(none)' },
    ]);
    assert.deepEqual(requirementLines('a\r\n  # c\n\n b==1 \n'), ['a', 'b==1']);
  });

  it('reports an environment.json that is not JSON instead of failing', async () => {
    const run = (await seeded.store.createRun({ experimentId: seeded.experimentId })).info.runId;
    await seeded.store.writeArtifact(run, 'labbook/environment/environment.json', new TextEncoder().encode('{oops'));
    const env = await readRunEnvironment(seeded.store, run);
    assert.equal(env.facts, null);
    assert.match(env.problems[0] ?? '', /environment\.json is not valid JSON/);
  });

  it('reads data fingerprints: seconds or ms mtimes, optional dvcMd5, odd entries reported', async () => {
    const { fingerprints, problems, combined } = await readRunFingerprints(seeded.store, seeded.launched);
    assert.deepEqual(problems, []);
    assert.equal(combined, null);
    assert.deepEqual(fingerprints, [
      { path: 'data/wine.csv', kind: 'file', size: 10_000, mtime: '2023-11-14T22:13:20.500Z', sha256: 'ab'.repeat(32), dvcMd5: null, note: null },
      { path: 'data/images', kind: 'dir', size: 123_456, mtime: '2023-11-14T22:13:20.000Z', sha256: 'cd'.repeat(32), dvcMd5: 'ef'.repeat(16), note: null },
    ]);
    const odd = parseFingerprints('[{"path":"a","mtime":1700000000000},{"size":3},null]');
    assert.deepEqual(odd.fingerprints, [{ path: 'a', kind: 'file', size: null, mtime: '2023-11-14T22:13:20.000Z', sha256: null, dvcMd5: null, note: null }]);
    assert.deepEqual(odd.problems, ['Entry 2 of labbook/data/fingerprints.json has no path.', 'Entry 3 of labbook/data/fingerprints.json has no path.']);
    assert.match(parseFingerprints('{}').problems[0] ?? '', /not a list/);
  });

  it('reads fingerprints as the launcher writes them: { combined, entries } with DVC outs and notes', () => {
    const written = {
      combined: '12'.repeat(32),
      entries: [
        { path: 'data/raw', kind: 'dir', size: 9, mtime: '2026-01-02T03:04:05.000Z', sha256: 'aa'.repeat(32), fileCount: 3, dvc: { file: 'data/raw.dvc', outs: [{ path: 'raw', md5: 'bb'.repeat(16) }, { path: 'x', md5: 'cc'.repeat(16) }] } },
        { path: 'gone.csv', kind: 'missing', note: 'not found' },
      ],
    };
    const parsed = parseFingerprints(JSON.stringify(written, null, 2));
    assert.equal(parsed.combined, '12'.repeat(32));
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.fingerprints, [
      { path: 'data/raw', kind: 'dir', size: 9, mtime: '2026-01-02T03:04:05.000Z', sha256: 'aa'.repeat(32), dvcMd5: `${'bb'.repeat(16)}, ${'cc'.repeat(16)}`, note: null },
      { path: 'gone.csv', kind: 'missing', size: null, mtime: null, sha256: null, dvcMd5: null, note: 'not found' },
    ]);
  });
});
