// The observing bootstrap with real Python: a script runs under it exactly as plainly (argv,
// __file__, sys.path[0], exit code, the traceback of a failure), a file the script overwrites is
// recorded with the hash of the content it read (the hook hashes it before the open for writing
// truncates it; the host could not, after the run), and the interpreter's files, imported modules,
// caches, .git and temp files stay out of the record. Reads are resolved against the working
// directory they were opened in; a file another process changed during the run gets no hash.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashObservedReads } from '../../../src/core/data/hashReads.ts';
import { openedFileNames, parseObservationLog, summarizeObservation } from '../../../src/core/data/observedRecord.ts';
import { prepareObservation } from '../../../src/core/data/observeLaunch.ts';
import { QUIET_PYTHON_ENV, testPython } from '../../support/python.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The record and the path files beside it, as the host reads them. */
function readRecord(recordFile: string) {
  const text = readFileSync(recordFile, 'utf8');
  return parseObservationLog(text, new Map(openedFileNames(text).map((name) => [name, readFileSync(path.join(path.dirname(recordFile), name), 'utf8')])));
}

describe('core/data: observing bootstrap (real Python)', function () {
  this.timeout(120_000);
  let dir: string;
  let project: string;
  let spool: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-observe-'));
    project = path.join(dir, 'project');
    spool = path.join(dir, 'spool');
    mkdirSync(project);
    mkdirSync(spool);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `file` plainly or under the bootstrap; returns the outcome and, observed, the record. */
  function run(file: string, args: readonly string[], observed: boolean, extraEnv: Record<string, string> = {}) {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...QUIET_PYTHON_ENV, ...extraEnv };
    const prepared = observed ? prepareObservation(spool, env, [spool]) : undefined;
    const result = spawnSync(testPython(), ['-u', ...(prepared ? [prepared.bootstrap] : []), path.join(project, file), ...args], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
    const record = prepared ? readRecord(prepared.recordFile) : undefined;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, record };
  }

  it('runs the script as a plain run would: argv, __file__, sys.path[0], __name__, exit code', () => {
    writeFileSync(
      path.join(project, 'show.py'),
      'import json, sys\nprint(json.dumps({"argv": sys.argv, "file": __file__, "path0": sys.path[0], "name": __name__, "main": sys.modules["__main__"].__dict__ is globals()}))\nsys.exit(3)\n',
    );
    const plain = run('show.py', ['--lr', '0.1', 'x y'], false);
    const observed = run('show.py', ['--lr', '0.1', 'x y'], true);
    assert.equal(plain.status, 3);
    assert.equal(observed.status, 3);
    assert.deepEqual(JSON.parse(observed.stdout), JSON.parse(plain.stdout));
    assert.equal(observed.record?.ended, true);
  });

  it('shows the same traceback as a plain run, without the bootstrap frames', () => {
    writeFileSync(path.join(project, 'helper.py'), 'def fail():\n    raise ValueError("boom")\n');
    writeFileSync(path.join(project, 'fails.py'), 'import helper\n\ndef main():\n    helper.fail()\n\nmain()\n');
    const plain = run('fails.py', [], false);
    const observed = run('fails.py', [], true);
    assert.equal(observed.status, 1);
    assert.equal(observed.stderr, plain.stderr);
    assert.match(observed.stderr, /File ".*fails\.py", line 6, in <module>/);
    assert.doesNotMatch(observed.stderr, /runpy|labbook_observe/);
  });

  it('records a file the script overwrites with the hash of the content it read', () => {
    // 64 MB, so hashing it is not instant.
    const original = Buffer.alloc(64 * 1024 * 1024, 'a');
    writeFileSync(path.join(project, 'data.bin'), original);
    writeFileSync(path.join(project, 'overwrite.py'), 'with open("data.bin", "rb") as f:\n    head = f.read(10)\nwith open("data.bin", "wb") as f:\n    f.write(b"changed")\n');
    const { status, record } = run('overwrite.py', [], true);
    assert.equal(status, 0);
    assert.equal(readFileSync(path.join(project, 'data.bin'), 'utf8'), 'changed');
    const summary = summarizeObservation(record!, { cwd: project });
    assert.deepEqual(summary.inputs.map((e) => [e.path, e.sha256, e.size]), [['data.bin', createHash('sha256').update(original).digest('hex'), original.length]]);
    assert.deepEqual(summary.outputs, ['data.bin']);
  });

  it('leaves out the interpreter, imported modules, caches, .git, temp files and a listing of the project', () => {
    mkdirSync(path.join(project, '.git'));
    writeFileSync(path.join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    mkdirSync(path.join(project, '.cache'));
    writeFileSync(path.join(project, '.cache', 'c.bin'), 'x');
    writeFileSync(path.join(project, 'helper.py'), 'VALUE = 1\n');
    writeFileSync(path.join(project, 'input.txt'), 'hello\n');
    writeFileSync(
      path.join(project, 'busy.py'),
      [
        'import os, tempfile, json, yaml',
        'import helper',
        'os.listdir(".")',
        'open(".git/HEAD").read()',
        'open(".cache/c.bin").read()',
        'with tempfile.NamedTemporaryFile("w", delete=False) as t:',
        '    t.write("scratch")',
        'open(t.name).read()',
        'os.unlink(t.name)',
        'open("input.txt").read()',
        'open("out.txt", "w").write("done")',
        '',
      ].join('\n'),
    );
    const { status, stderr, record } = run('busy.py', [], true);
    assert.equal(status, 0, stderr);
    const summary = summarizeObservation(record!, { cwd: project });
    assert.deepEqual(summary.inputs.map((e) => e.path), ['input.txt']);
    assert.deepEqual(summary.outputs, ['out.txt']);
  });

  it('resolves a relative read against the working directory of the moment (os.chdir), given as str, bytes or a path object', async () => {
    mkdirSync(path.join(project, 'sub'));
    writeFileSync(path.join(project, 'top.txt'), 'top\n');
    writeFileSync(path.join(project, 'sub', 'low.txt'), 'low\n');
    writeFileSync(path.join(project, 'sub', 'raw.bin'), 'raw\n');
    writeFileSync(path.join(project, 'sub', 'obj.txt'), 'obj\n');
    writeFileSync(path.join(project, 'moves.py'), 'import os, pathlib\nopen("top.txt").read()\nos.chdir("sub")\nopen("low.txt").read()\nopen(b"raw.bin", "rb").read()\nopen(pathlib.Path("obj.txt")).read()\n');
    const { status, stderr, record } = run('moves.py', [], true);
    assert.equal(status, 0, stderr);
    const hashed = await hashObservedReads(record!, { deadline: Date.now() + 60_000, now: Date.now });
    const summary = summarizeObservation(hashed, { cwd: project });
    assert.deepEqual(summary.inputs.map((e) => [e.path, e.size, e.sha256]), [
      ['sub/low.txt', 4, sha256('low\n')], ['sub/obj.txt', 4, sha256('obj\n')], ['sub/raw.bin', 4, sha256('raw\n')], ['top.txt', 4, sha256('top\n')],
    ]);
  });

  it('keeps each read\'s working directory when the reads noted so far are moved while the program runs (past the room, after os.chdir)', async () => {
    mkdirSync(path.join(project, 'sub'));
    for (const [file, text] of [['top.txt', 'top\n'], ['end.txt', 'end\n'], ['sub/low.txt', 'low\n'], ['sub/obj.txt', 'obj\n']] as const) writeFileSync(path.join(project, file), text);
    // 70,000 reads (tries of ten missing names) between two chdirs: more than the hook's room, so a
    // full deque has them moved while the marker of the chdir is among them.
    writeFileSync(
      path.join(project, 'moves.py'),
      'import os\nopen("top.txt").read()\nos.chdir("sub")\nopen("low.txt").read()\nfor i in range(70000):\n    try:\n        open(f"missing{i % 10}.txt")\n    except OSError:\n        pass\nopen("obj.txt").read()\nos.chdir("..")\nopen("end.txt").read()\n',
    );
    const { status, stderr, record } = run('moves.py', [], true);
    assert.equal(status, 0, stderr);
    const hashed = await hashObservedReads(record!, { deadline: Date.now() + 60_000, now: Date.now });
    const summary = summarizeObservation(hashed, { cwd: project });
    assert.deepEqual(summary.inputs.map((e) => [e.path, e.sha256]), [
      ['end.txt', sha256('end\n')], ['sub/low.txt', sha256('low\n')], ['sub/obj.txt', sha256('obj\n')], ['top.txt', sha256('top\n')],
    ]);
  });

  it('gives no hash, with a note, to a file another process changed while the run went; a failed open records nothing', async () => {
    writeFileSync(path.join(project, 'shared.csv'), 'a\n');
    writeFileSync(path.join(project, 'mine.csv'), 'b\n');
    writeFileSync(
      path.join(project, 'shared.py'),
      [
        'import subprocess, sys, time',
        'open("shared.csv").read()',
        'open("mine.csv").read()',
        'try:',
        '    open("absent.csv").read()',
        'except FileNotFoundError:',
        '    pass',
        '# Another process (not observed: the variables are not passed on) appends to the file the run read.',
        'subprocess.run([sys.executable, "-c", "open(\'shared.csv\', \'a\').write(\'c\\\\n\')"], check=True)',
        '',
      ].join('\n'),
    );
    const { status, stderr, record } = run('shared.py', [], true);
    assert.equal(status, 0, stderr);
    assert.equal(readFileSync(path.join(project, 'shared.csv'), 'utf8'), 'a\nc\n');
    const hashed = await hashObservedReads(record!, { deadline: Date.now() + 60_000, now: Date.now });
    const summary = summarizeObservation(hashed, { cwd: project });
    assert.deepEqual(summary.inputs.map((e) => [e.path, e.sha256]), [['mine.csv', sha256('b\n')], ['shared.csv', undefined]]);
    assert.match(summary.inputs[1]?.note ?? '', /modified while the run went/);
  });

  it('reuses the compiled file only while its source, the name it was given and the Python match; a broken entry is recompiled', () => {
    writeFileSync(path.join(project, 'helper.py'), 'def fail():\n    raise ValueError("boom")\n');
    writeFileSync(path.join(project, 'fails.py'), 'import helper\n\ndef main():\n    helper.fail()\n\nmain()\n');
    const plain = run('fails.py', [], false);
    run('fails.py', [], true);
    const cached = run('fails.py', [], true);
    assert.equal(cached.status, 1);
    assert.equal(cached.stderr, plain.stderr);
    // The same size and modification time, other bytes: the new source runs.
    const file = path.join(project, 'says.py');
    writeFileSync(file, 'print("one")\n');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    assert.equal(run('says.py', [], true).stdout, 'one\n');
    writeFileSync(file, 'print("two")\n');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    assert.equal(run('says.py', [], true).stdout, 'two\n');
    // The entries live in the hook module's private folder; garbage there is ignored and replaced.
    const hookDir = readdirSync(dir).find((name) => name.startsWith('observe-'));
    const entries = path.join(dir, hookDir ?? 'missing', 'main');
    const names = readdirSync(entries);
    assert.ok(names.some((name) => name.endsWith('says.py')), names.join(', '));
    for (const name of names) writeFileSync(path.join(entries, name), 'not marshal data');
    assert.equal(run('says.py', [], true).stdout, 'two\n');
    assert.notEqual(readFileSync(path.join(entries, names.find((name) => name.endsWith('says.py'))!), 'latin1'), 'not marshal data');
  });

  it('records each file once and stops at the cap (LABBOOK_OBSERVE_MAX_PATHS), with a note', () => {
    for (let i = 0; i < 8; i++) writeFileSync(path.join(project, `f${i}.txt`), `${i}\n`);
    writeFileSync(path.join(project, 'many.py'), 'for _ in range(3):\n    for i in range(8):\n        open(f"f{i}.txt").read()\n');
    const all = run('many.py', [], true);
    assert.deepEqual(all.record?.reads.map((r) => path.basename(r.path)), ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt', 'f6.txt', 'f7.txt']);
    assert.equal(all.record?.capped, undefined);
    const capped = run('many.py', [], true, { LABBOOK_OBSERVE_MAX_PATHS: '5' });
    assert.deepEqual(capped.record?.reads.map((r) => path.basename(r.path)), ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
    assert.equal(capped.record?.capped, 5);
    assert.ok(capped.record);
    assert.match(summarizeObservation(capped.record, { cwd: project }).notes.join('\n'), /more than 5 files/);
  });

  it('bounds the paths it holds while the program runs, with no other event than reads: past its room they are deduplicated, once capped no longer noted', () => {
    // 150,000 reads of paths that do not exist (an open that fails is noted as tried, the host drops it), no write, no chdir.
    writeFileSync(path.join(project, 'tries.py'), 'for i in range(150000):\n    try:\n        open(f"missing{i}.txt")\n    except OSError:\n        pass\n');
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...QUIET_PYTHON_ENV, LABBOOK_OBSERVE_MAX_PATHS: '1000' };
    const prepared = prepareObservation(spool, env, [spool]);
    const result = spawnSync(testPython(), ['-u', prepared.bootstrap, path.join(project, 'tries.py')], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    const text = readFileSync(prepared.recordFile, 'utf8');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: string; max?: number });
    assert.deepEqual(lines.filter((l) => l.t === 'capped').map((l) => l.max), [1000], 'capped while running');
    const held = openedFileNames(text).reduce((n, name) => n + readFileSync(path.join(spool, name), 'utf8').split('\0').length, 0);
    assert.ok(held >= 1000 && held < 80_000, `the record holds ${held} paths: the reads after the cap were not noted`);
  });

  it('loses no read of four threads reading at once while their noted paths are moved (past the room, again and again)', () => {
    // 4 × 30,000 distinct names (missing files: the open fails at once), twice the room and more.
    writeFileSync(
      path.join(project, 'threads.py'),
      'import threading\ndef tries(k):\n    for i in range(30000):\n        try:\n            open(f"t{k}-{i}.txt")\n        except OSError:\n            pass\n' +
        'threads = [threading.Thread(target=tries, args=(k,)) for k in range(4)]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()\n',
    );
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...QUIET_PYTHON_ENV, LABBOOK_OBSERVE_MAX_PATHS: '200000' };
    const prepared = prepareObservation(spool, env, [spool]);
    const result = spawnSync(testPython(), ['-u', prepared.bootstrap, path.join(project, 'threads.py')], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    const text = readFileSync(prepared.recordFile, 'utf8');
    assert.ok(!text.includes('"capped"'), 'not capped');
    const noted = new Set(openedFileNames(text).flatMap((name) => readFileSync(path.join(spool, name), 'utf8').split('\0')));
    const missing: string[] = [];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 30_000; i++) if (!noted.has(`t${k}-${i}.txt`)) missing.push(`t${k}-${i}.txt`);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} reads were lost`);
  });
});
