// executeNotebook with the real nbclient and ipykernel of the test venv.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executeNotebook, NotebookExecutionError } from '../../src/core/notebook/execute.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { testPython } from '../support/python.ts';
import { rejectionOf } from '../support/trackingAssertions.ts';

function writeNotebook(dir: string, name: string, cells: Array<{ source: string; tags?: string[] }>): string {
  const file = path.join(dir, name);
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((c, i) => ({ cell_type: 'code', id: `c${i}`, source: c.source, metadata: c.tags ? { tags: c.tags } : {}, outputs: [], execution_count: null })),
  };
  writeFileSync(file, JSON.stringify(nb));
  return file;
}

function rejection(promise: Promise<unknown>): Promise<NotebookExecutionError> {
  return rejectionOf(promise, NotebookExecutionError);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('interop: executeNotebook with nbclient', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-exec-test-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('injects parameters after the parameters cell and streams the output', async () => {
    const nbPath = writeNotebook(dir, 'params.ipynb', [{ source: 'x = 1\nlabel = "a"', tags: ['parameters'] }, { source: 'print(f"result={x * 2} {label}")' }]);
    let streamed = '';
    const result = await executeNotebook({ python: testPython(), notebookPath: nbPath, outputPath: path.join(dir, 'params.out.ipynb'), parameters: { x: 21, label: 'b' }, cellTimeoutSeconds: 60, onOutput: (t) => (streamed += t) });
    assert.equal(result.ok, true);
    assert.match(streamed, /result=42 b/);
    const executed = await readNotebookFile(result.executedPath);
    assert.deepEqual(executed.cells.map((c) => c.metadata.tags ?? []), [['parameters'], ['injected-parameters'], []]);
    assert.equal(executed.cells[1]?.source, "# Parameters injected by Labbook\nx = 21\nlabel = 'b'");
    assert.deepEqual(executed.cells[2]?.outputs, [{ outputType: 'stream', name: 'stdout', text: 'result=42 b\n' }]);
  });

  it('reports the failing cell (index, id, ename, traceback) and writes the notebook with its outputs', async () => {
    const nbPath = writeNotebook(dir, 'fails.ipynb', [{ source: 'a = 1\nprint("before")' }, { source: 'raise ValueError("boom")' }, { source: 'b = 2' }]);
    const outputPath = path.join(dir, 'fails.out.ipynb');
    const result = await executeNotebook({ python: testPython(), notebookPath: nbPath, outputPath, parameters: { a: 5 }, cellTimeoutSeconds: 60 });
    assert.equal(result.ok, false);
    assert.equal(result.executedPath, outputPath);
    assert.deepEqual([result.failedCell?.index, result.failedCell?.cellId, result.failedCell?.ename, result.failedCell?.evalue], [1, 'c1', 'ValueError', 'boom']);
    assert.ok(result.failedCell?.traceback.some((line) => line.includes('boom')));
    const executed = await readNotebookFile(outputPath);
    // Without a parameters cell the injected one goes first; the index above does not count it.
    assert.deepEqual(executed.cells[0]?.metadata.tags, ['injected-parameters']);
    assert.deepEqual(executed.cells[1]?.outputs, [{ outputType: 'stream', name: 'stdout', text: 'before\n' }]);
    assert.equal(executed.cells[2]?.outputs[0]?.outputType, 'error');
    assert.deepEqual(executed.cells[3]?.outputs, []);
  });

  it('stops a cell at its timeout', async () => {
    const nbPath = writeNotebook(dir, 'slow.ipynb', [{ source: 'import time\ntime.sleep(60)' }]);
    const started = Date.now();
    const result = await executeNotebook({ python: testPython(), notebookPath: nbPath, outputPath: path.join(dir, 'slow.out.ipynb'), cellTimeoutSeconds: 2 });
    assert.equal(result.ok, false);
    assert.deepEqual([result.failedCell?.index, result.failedCell?.ename], [0, 'CellTimeoutError']);
    assert.ok(Date.now() - started < 45_000, 'the timeout cut the cell short');
  });

  it('says clearly when the notebook is corrupt', async () => {
    const nbPath = path.join(dir, 'corrupt.ipynb');
    writeFileSync(nbPath, '{"cells": [ not json');
    const err = await rejection(executeNotebook({ python: testPython(), notebookPath: nbPath }));
    assert.equal(err.code, 'corruptNotebook');
    assert.match(err.message, /corrupt\.ipynb is not a notebook Jupyter can read/);
  });

  it('says which packages to install when nbclient is missing', async () => {
    const venv = path.join(dir, 'bare-venv');
    const made = spawnSync(testPython(), ['-m', 'venv', '--without-pip', venv], { timeout: 60_000 });
    assert.equal(made.status, 0, String(made.stderr));
    const err = await rejection(executeNotebook({ python: path.join(venv, 'bin', 'python'), notebookPath: path.join(dir, 'params.ipynb') }));
    assert.equal(err.code, 'missingDependency');
    assert.match(err.message, /pip install nbclient ipykernel/);
  });

  it('says when the interpreter does not exist', async () => {
    const err = await rejection(executeNotebook({ python: path.join(dir, 'no-such-python'), notebookPath: path.join(dir, 'params.ipynb') }));
    assert.equal(err.code, 'pythonNotFound');
  });

  it('cancels: the run rejects and the kernel process is gone', async () => {
    const nbPath = writeNotebook(dir, 'cancel.ipynb', [{ source: 'import os, sys, time\nprint(f"kernel-pid={os.getpid()}", flush=True)\ntime.sleep(60)' }]);
    const controller = new AbortController();
    let kernelPid = 0;
    let seen = '';
    const started = Date.now();
    const err = await rejection(
      executeNotebook({
        python: testPython(),
        notebookPath: nbPath,
        signal: controller.signal,
        cellTimeoutSeconds: 90,
        onOutput: (text) => {
          seen += text;
          const match = /kernel-pid=(\d+)/.exec(seen);
          if (match && !kernelPid) {
            kernelPid = Number(match[1]);
            controller.abort();
          }
        },
      }),
    );
    assert.equal(err.code, 'cancelled');
    assert.ok(Date.now() - started < 60_000, 'cancelled before the cell would have finished');
    assert.ok(kernelPid > 0, 'the kernel printed its pid while the cell ran');
    {
      for (let i = 0; i < 50 && alive(kernelPid); i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(alive(kernelPid), false, `kernel ${kernelPid} still running`);
    }
    assert.ok(existsSync(nbPath));
  });
});
