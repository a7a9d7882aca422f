// `labbook sweep export`: where the flow goes, what it refuses (overwrites, notebooks, bad files)
// and the exit status of each, on real files in a temp workspace.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sweepExportCommand, sweepWorkspace } from '../../../src/cli/sweepExport.ts';

const SWEEP = `program: { script: train.py }
parameters:
  lr: { type: float, low: 0.001, high: 0.1, log: true }
method: random
objective: { metric: loss }
budget: 3
`;

describe('cli: labbook sweep export', () => {
  let ws: string;
  let file: string;
  beforeEach(() => {
    ws = mkdtempSync(path.join(tmpdir(), 'labbook-sweepexport-'));
    mkdirSync(path.join(ws, '.labbook', 'sweeps'), { recursive: true });
    writeFileSync(path.join(ws, 'train.py'), 'print(1)\n');
    file = path.join(ws, '.labbook', 'sweeps', 'lr.yaml');
    writeFileSync(file, SWEEP);
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  async function run(args: string[], cwd = ws): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await sweepExportCommand(args, { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } }, cwd);
    return { code, out, err };
  }

  it('writes sweep_flow.py in the workspace holding .labbook/sweeps, from any folder; refuses to overwrite without --force', async () => {
    const elsewhere = path.join(ws, 'sub');
    mkdirSync(elsewhere);
    const first = await run([file, '--tracking-uri', 'http://127.0.0.1:5000'], elsewhere);
    assert.equal(first.code, 0, first.err);
    const flow = path.join(ws, 'sweep_flow.py');
    assert.match(readFileSync(flow, 'utf8'), /TRACKING_URI = "http:\/\/127\.0\.0\.1:5000"\n[\s\S]*SCRIPT = "train\.py"/);
    assert.match(first.out, /Run it: cd \.\. && python sweep_flow\.py run --max-workers 2\n/);
    writeFileSync(flow, '# edited\n');
    const second = await run([file]);
    assert.equal(second.code, 1);
    assert.match(second.err, /sweep_flow\.py exists; use --force to overwrite it/);
    assert.equal(readFileSync(flow, 'utf8'), '# edited\n', 'the existing file is kept');
    assert.equal((await run([file, '--force'])).code, 0);
    assert.match(readFileSync(flow, 'utf8'), /class LrSweepFlow\(FlowSpec\)/);
  });

  it('-o takes a file or a folder; a script outside the flow\'s folder is a warning', async () => {
    assert.equal((await run([file, '-o', 'flows/my_flow.py'])).code, 0);
    assert.ok(existsSync(path.join(ws, 'flows', 'my_flow.py')));
    const dir = await run([file, '-o', 'other/']);
    assert.equal(dir.code, 0, dir.err);
    assert.match(readFileSync(path.join(ws, 'other', 'sweep_flow.py'), 'utf8'), /WORKDIR = "\.\."/);
    assert.match(dir.out, /Warning: .*outside the flow's folder/);
  });

  it('exit 1 for a notebook sweep, 2 for an invalid file (with line and column), a bad --round-size or no file', async () => {
    writeFileSync(file, SWEEP.replace('{ script: train.py }', 'analysis.ipynb'));
    const notebook = await run([file]);
    assert.equal(notebook.code, 1);
    assert.match(notebook.err, /runs a notebook \(analysis\.ipynb\); the Metaflow export runs script programs only/);
    assert.ok(!existsSync(path.join(ws, 'sweep_flow.py')));
    writeFileSync(file, SWEEP.replace('method: random', 'method: annealing'));
    const invalid = await run([file]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.err, /lr\.yaml:\d+:\d+: /);
    assert.equal((await run([file, '--round-size', '0'])).code, 2);
    assert.equal((await run([])).code, 2);
    assert.equal((await run([path.join(ws, 'missing.yaml')])).code, 2);
  });

  it('the workspace of a file outside .labbook/sweeps is the current folder', () => {
    assert.equal(sweepWorkspace(file, '/somewhere'), ws);
    assert.equal(sweepWorkspace(path.join(ws, 'sweep.yaml'), '/somewhere'), '/somewhere');
  });
});
