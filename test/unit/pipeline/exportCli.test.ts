import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportCommand } from '../../../src/cli/exportCommand.ts';
import { parseSetting } from '../../../src/cli/smokeCommand.ts';

const FIXTURE = path.join(import.meta.dirname, '..', '..', 'fixtures', 'pipeline', 'kale.ipynb');

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } } };
}

describe('cli: labbook export', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-export-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--dry-run prints steps, edges, metrics and files and writes nothing', async () => {
    const { out, io: streams } = io();
    const code = await exportCommand([FIXTURE, '--out', path.join(dir, 'pkg'), '--dry-run'], streams);
    assert.equal(code, 0, out.stderr);
    assert.match(out.stdout, /steps found by tags/);
    assert.match(out.stdout, / {2}train {2}\(cells 9\)\n {6}in: {2}X ← prepare, split ← prepare, y ← prepare\n {6}params: C\n {6}out: clf \(model\)/);
    assert.match(out.stdout, / {2}load → prepare: data/);
    assert.match(out.stdout, /Metrics: f1, accuracy/);
    assert.match(out.stdout, / {2}create {4}steps\/_shared\.py/);
    assert.equal(existsSync(path.join(dir, 'pkg')), false);
  });

  it('writes, then exits 1 on an edited file until --force', async () => {
    const pkg = path.join(dir, 'pkg');
    assert.equal(await exportCommand([FIXTURE, '--out', pkg], io().io), 0);
    writeFileSync(path.join(pkg, 'steps', 'train.py'), '# mine\n');
    const second = io();
    assert.equal(await exportCommand([FIXTURE, '--out', pkg], second.io), 1);
    assert.match(second.out.stdout, /Conflicts:\n {2}steps\/train\.py was edited since the last export/);
    assert.equal(readFileSync(path.join(pkg, 'steps', 'train.py'), 'utf8'), '# mine\n');
    assert.equal(await exportCommand([FIXTURE, '--out', pkg, '--force'], io().io), 0);
    assert.match(readFileSync(path.join(pkg, 'steps', 'train.py'), 'utf8'), /def train\(/);
  });

  it('exits 2 on usage errors and unreadable notebooks', async () => {
    const a = io();
    assert.equal(await exportCommand([], a.io), 2);
    assert.match(a.out.stderr, /expected one notebook/);
    const b = io();
    assert.equal(await exportCommand([path.join(dir, 'missing.ipynb')], b.io), 2);
    assert.match(b.out.stderr, /cannot read the file/);
  });

  it('parses smoke --set values as JSON when they are, text otherwise', () => {
    assert.deepEqual(['n=5', 'lr=0.1', 'name=abc', 'flag=true', 'xs=[1,2]', 's="q"'].map(parseSetting), [['n', 5], ['lr', 0.1], ['name', 'abc'], ['flag', true], ['xs', [1, 2]], ['s', 'q']]);
    assert.throws(() => parseSetting('novalue'), /name=value/);
  });
});
