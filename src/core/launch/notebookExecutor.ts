// "Run Notebook with Tracking": the launcher's NotebookExecutor backed by executeNotebook
// (nbclient in the chosen interpreter). The executed notebook — outputs included, also when a
// cell failed — becomes the run's `labbook/notebook/<name>.ipynb` artifact.
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executeNotebook } from '../notebook/execute.ts';
import type { JsonValue } from '../notebook/notebookModel.ts';
import type { NotebookExecutor } from './programProcess.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

export interface NbclientExecutorOptions {
  /** Per cell; executeNotebook's default (600 s) when omitted. */
  readonly cellTimeoutSeconds?: number;
}

export function nbclientExecutor(options: NbclientExecutorOptions = {}): NotebookExecutor {
  return (request) => {
    const abort = new AbortController();
    const work = mkdtempSync(path.join(tmpdir(), 'labbook-nbrun-'));
    const outputPath = path.join(work, path.basename(request.file));
    const executed = () => readFile(outputPath).then((b) => new Uint8Array(b), () => undefined);
    const done = executeNotebook({
      python: request.python,
      notebookPath: request.file,
      outputPath,
      parameters: request.parameters as Record<string, JsonValue>,
      cwd: request.cwd,
      env: { ...request.env },
      signal: abort.signal,
      onOutput: (text, stream) => request.onOutput(stream, text),
      ...(options.cellTimeoutSeconds === undefined ? {} : { cellTimeoutSeconds: options.cellTimeoutSeconds }),
    })
      .then(async (result) => {
        const notebook = await executed();
        const failed = result.failedCell;
        return {
          ok: result.ok,
          ...(notebook ? { executedNotebook: notebook } : {}),
          ...(failed ? { error: `cell ${failed.index + 1}${failed.inInjectedParameters ? ' (the injected parameters)' : ''} failed: ${failed.ename}: ${failed.evalue}` } : {}),
        };
      })
      .catch(async (err: unknown) => {
        const notebook = await executed();
        return { ok: false, error: errorMessage(err), ...(notebook ? { executedNotebook: notebook } : {}) };
      })
      .finally(() => rm(work, { recursive: true, force: true }).catch(() => undefined));
    return {
      done,
      async stop() {
        abort.abort();
        await done;
      },
    };
  };
}
