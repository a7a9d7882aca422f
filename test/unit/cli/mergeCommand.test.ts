// `labbook merge` as a process: exit codes, the files it writes (and, on bad input, does not),
// its flags, and git's merge-driver arguments.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readConflictNotebook } from '../../../src/core/merge/conflictNotebook.ts';
import type { NotebookMerge } from '../../../src/core/merge/model.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { runCli } from '../../support/cli.ts';

type RawCell = Record<string, unknown>;
const code = (source: string, count: number | null = null, outputs: unknown[] = []): RawCell => ({ cell_type: 'code', execution_count: count, metadata: {}, outputs, source });
const nbText = (cells: RawCell[], indent = 1) => `${JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 4 }, null, indent)}\n`;
/** A cell both sides change on the same line. */
const A = (n: number) => `import numpy as np\nx = np.arange(${n})\ny = x * 2\n`;
const stream = (text: string) => ({ output_type: 'stream', name: 'stdout', text });

describe('cli: labbook merge', function () {
  this.timeout(60_000);
  let dir: string;
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const read = (p: string) => readFileSync(p, 'utf8');
  let base: string;
  let cleanLocal: string;
  let cleanRemote: string;
  let conflictLocal: string;
  let conflictRemote: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-merge-cli-'));
    cleanLocal = file('local.ipynb', nbText([code(A(10)), code('b = 2'), code('c = 3\nprint(c)\n')], 2));
    cleanRemote = file('remote.ipynb', nbText([code(A(1)), code('b = 2'), code('c = 30\nprint(c)\n')]));
    base = file('base.ipynb', nbText([code(A(1)), code('b = 2'), code('c = 3\nprint(c)\n')]));
    conflictLocal = file('conflict-local.ipynb', nbText([code(A(10), 3, [stream('ours\n')]), code('b = 2'), code('c = 3\nprint(c)\n')]));
    conflictRemote = file('conflict-remote.ipynb', nbText([code(A(11), 4, [stream('theirs\n')]), code('b = 2'), code('c = 3\nprint(c)\n')]));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a clean merge to -o and exits 0, keeping LOCAL’s indent', async () => {
    const out = path.join(dir, 'out.ipynb');
    const r = await runCli(['merge', base, cleanLocal, cleanRemote, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `labbook merge: ${out} — 2 changes merged, no conflicts\n`);
    assert.deepEqual(parseNotebook(read(out), 'out').cells.map((c) => c.source), [A(10), 'b = 2', 'c = 30\nprint(c)\n']);
    assert.match(read(out), /^\{\n {2}"cells": \[\n {4}\{\n/, 'LOCAL is indented by 2');
  });

  it('prints the result to stdout without -o', async () => {
    const r = await runCli(['merge', base, cleanLocal, cleanRemote]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parseNotebook(r.stdout, 'stdout').cells.map((c) => c.source), [A(10), 'b = 2', 'c = 30\nprint(c)\n']);
  });

  it('writes conflicts as a notebook into LOCAL itself and exits 1', async () => {
    const before = read(conflictLocal);
    const r = await runCli(['merge', base, conflictLocal, conflictRemote, '--output', conflictLocal]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `labbook merge: ${conflictLocal} — 0 changes merged, 1 conflict left (open it in VS Code: Labbook: Open Notebook Merge)\n`);
    const text = read(conflictLocal);
    assert.notEqual(text, before);
    assert.ok(!text.includes('<<<<<<<'));
    const merge = readConflictNotebook(parseNotebook(text, 'merged'), 'merged');
    assert.equal(merge?.stats.conflicts, 1);
    assert.deepEqual([merge?.cells[0]?.versions?.local?.source, merge?.cells[0]?.versions?.remote?.source], [A(10), A(11)]);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
  });

  it('takes --outputs, --no-auto-execution-counts and --json', async () => {
    const b = file('b.ipynb', nbText([code('x', 1, [stream('1\n')])]));
    const l = file('l.ipynb', nbText([code('x', 2, [stream('one\n')])]));
    const r = file('r.ipynb', nbText([code('x', 3, [stream('uno\n')])]));
    const out = path.join(dir, 'out.ipynb');
    const cleared = await runCli(['merge', b, l, r, '-o', out]);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.deepEqual(parseNotebook(read(out), 'out').cells[0]?.outputs, []);
    const remote = await runCli(['merge', b, l, r, '-o', out, '--outputs', 'remote', '--json']);
    assert.equal(remote.code, 0, remote.stderr);
    assert.deepEqual(parseNotebook(read(out), 'out').cells[0]?.outputs, [{ outputType: 'stream', name: 'stdout', text: 'uno\n' }]);
    const model = JSON.parse(remote.stdout) as NotebookMerge;
    assert.equal(model.modelVersion, 1);
    assert.equal(model.options.outputs, 'remote');
    const counts = await runCli(['merge', b, l, r, '--no-auto-execution-counts', '--outputs', 'local', '--json']);
    assert.equal(counts.code, 1, counts.stderr);
    const conflicted = JSON.parse(counts.stdout) as NotebookMerge;
    assert.deepEqual(conflicted.cells[0]?.conflicts.map((c) => c.kind), ['executionCount']);
  });

  it('runs as git’s merge driver: the result goes into %A and the summary names %P', async () => {
    const ours = file('.merge_file_ours', read(conflictLocal));
    const r = await runCli(['merge', '--git', base, ours, conflictRemote, 'analysis/train.ipynb']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, 'labbook merge: analysis/train.ipynb — 0 changes merged, 1 conflict left (open it in VS Code: Labbook: Open Notebook Merge)\n');
    const merge = readConflictNotebook(parseNotebook(read(ours), 'ours'), 'train.ipynb');
    assert.deepEqual(merge?.names, { base: 'analysis/train.ipynb (base)', local: 'analysis/train.ipynb (ours)', remote: 'analysis/train.ipynb (theirs)' });
    const clean = file('.merge_file_clean', read(cleanLocal));
    const c = await runCli(['merge', '--git', base, clean, cleanRemote, 'train.ipynb']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stderr, 'labbook merge: train.ipynb — 2 changes merged, no conflicts\n');
    assert.deepEqual(parseNotebook(read(clean), 'clean').cells.map((x) => x.source), [A(10), 'b = 2', 'c = 30\nprint(c)\n']);
  });

  it('merges a notebook both sides added (git passes an empty %O)', async () => {
    const empty = file('.merge_file_o', '');
    const ours = file('.merge_file_added', read(cleanLocal));
    const r = await runCli(['merge', '--git', empty, ours, cleanRemote, 'added.ipynb']);
    assert.equal(r.code, 1, r.stderr);
    const merge = readConflictNotebook(parseNotebook(read(ours), 'ours'), 'added.ipynb');
    assert.deepEqual(merge?.cells.map((c) => c.conflicts.map((x) => x.kind)), [['added', 'source'], [], ['added', 'source']]);
  });

  it('exits 2 with a clear message on bad input and leaves %A untouched', async () => {
    const bad: Array<[string, string, RegExp]> = [
      ['not-json.ipynb', '{"cells": [', /^labbook merge: train\.ipynb \(theirs\) is not valid JSON: unexpected end of input/],
      ['not-notebook.ipynb', '[1, 2]', /not a Jupyter notebook/],
      ['v3.ipynb', JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }), /is an nbformat 3 notebook; Labbook reads nbformat 4/],
    ];
    for (const [name, text, message] of bad) {
      const ours = file('.merge_file_a', read(conflictLocal));
      const before = read(ours);
      const r = await runCli(['merge', '--git', base, ours, file(name, text), 'train.ipynb']);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(read(ours), before, `${name}: %A untouched`);
    }
    const ours = file('.merge_file_a', read(conflictLocal));
    const missing = await runCli(['merge', '--git', path.join(dir, 'gone.ipynb'), ours, conflictRemote, 'train.ipynb']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /train\.ipynb \(base\): cannot read the file \(ENOENT\)/);
    assert.equal(read(ours), read(conflictLocal));
    const out = path.join(dir, 'never.ipynb');
    const plain = await runCli(['merge', base, path.join(dir, 'nope.ipynb'), cleanRemote, '-o', out]);
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /nope\.ipynb: cannot read the file \(ENOENT\)/);
    assert.ok(!readdirSync(dir).includes('never.ipynb'));
  });

  it('refuses a side that is not UTF-8 (exit 2, %A untouched) rather than merging U+FFFD into it', async () => {
    const ours = file('.merge_file_a', read(cleanLocal));
    const before = read(ours);
    const latin1 = path.join(dir, 'latin1.ipynb');
    // 'café' saved as Latin-1: the é is the single byte 0xE9, not UTF-8.
    writeFileSync(latin1, Buffer.concat([Buffer.from(read(cleanRemote).replace('b = 2', 'b = "caf')), Buffer.from([0xe9]), Buffer.from('"')]).toString('latin1'), 'latin1');
    const r = await runCli(['merge', '--git', base, ours, latin1, 'train.ipynb']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /train\.ipynb \(theirs\) is not UTF-8 text/);
    assert.equal(read(ours), before);
  });

  it('keeps LOCAL’s CRLF line endings, and takes paths that start with - after --', async () => {
    const crlf = file('-crlf.ipynb', read(cleanLocal).replace(/\n/g, '\r\n'));
    const r = await runCli(['merge', '--git', '--', base, crlf, cleanRemote, '-crlf.ipynb']);
    assert.equal(r.code, 0, r.stderr);
    const written = read(crlf);
    assert.equal(written.split('\r\n').length, written.split('\n').length, 'every line break is CRLF');
    assert.deepEqual(parseNotebook(written, 'crlf').cells.map((c) => c.source), [A(10), 'b = 2', 'c = 30\nprint(c)\n'], 'sources keep their LF newlines');
  });

  it('exits 2 with the usage on bad arguments', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['merge', base, cleanLocal], /expected three notebooks \(BASE LOCAL REMOTE\), got 2 arguments/],
      [['merge', base, cleanLocal, cleanRemote, '--outputs', 'mine'], /--outputs must be clear, local, remote or both, got 'mine'/],
      [['merge', '--git', base, cleanLocal], /--git expects the arguments git passes to a merge driver/],
      [['merge', '--git', base, cleanLocal, cleanRemote, 'p', '-o', 'x'], /-o does not apply/],
      [['merge', '--colour', base, cleanLocal, cleanRemote], /Unknown option '--colour'/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [k, [args, message]] of cases.entries()) {
      const r = results[k]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /labbook merge BASE\.ipynb LOCAL\.ipynb REMOTE\.ipynb/);
    }
    const help = await runCli(['merge', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /labbook merge --git -- %O %A %B %P/);
  });
});
