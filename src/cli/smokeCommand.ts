// `labbook smoke NOTEBOOK`: runs the notebook top to bottom (nbclient) and says whether it got
// through. Exit 0: every cell ran; 1: a cell failed (printed with its traceback) or the run could
// not start; 2: usage.
import { executeNotebook } from '../core/notebook/execute.ts';
import type { JsonValue } from '../core/notebook/notebookModel.ts';
import type { CommandIo } from './exportCommand.ts';
import { SMOKE_STATUS_TAG } from '../core/lifecycle/gate.ts';
import { openCliStore } from './cliStore.ts';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { parseCommandArgs, UsageError } from './usage.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import { TrackingError } from '../core/store/errors.ts';
import { formatDuration } from '../shared/format.ts';

export const SMOKE_USAGE = `  smoke   Run a notebook top to bottom in a fresh kernel (exit 0: all cells ran, 1: a cell failed).
          labbook smoke NOTEBOOK.ipynb [--python PY] [--timeout S] [--set name=value ...] [--out FILE]
          --python PY     the interpreter, with nbclient and ipykernel (default: python3)
          --timeout S     seconds allowed per cell (default 600)
          --set k=v       a parameter, injected after the cell tagged 'parameters' (value as JSON, else text)
          --out FILE      where to write the executed notebook (default: a temp file)
          --model M/V     record the result on model M's version V (tag labbook.smoke.status =
                          passed or failed, what \`labbook gate --rule "smoke passed"\` reads), in
                          --store FILE (default .labbook/tracking.db) or MLFLOW_TRACKING_URI
`;


/** `--set` values: JSON when they parse (numbers, booleans, lists), text otherwise. */
export function parseSetting(item: string): [string, JsonValue] {
  const at = item.indexOf('=');
  if (at <= 0) throw new UsageError(`--set expects name=value, got '${item}'`);
  const name = item.slice(0, at).trim();
  const raw = item.slice(at + 1);
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new UsageError(`--set: '${name}' is not a Python name`);
  try {
    return [name, JSON.parse(raw) as JsonValue];
  } catch {
    return [name, raw];
  }
}

/** Terminal colour codes IPython puts in tracebacks. */
const ANSI = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*[A-Za-z]`, 'g');

export async function smokeCommand(args: string[], io: CommandIo, signal?: AbortSignal, sqliteRuntime: SqliteRuntime = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(args, { python: { type: 'string' }, timeout: { type: 'string' }, set: { type: 'string', multiple: true }, out: { type: 'string' }, model: { type: 'string' }, store: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (parsed.values.help) {
      io.stdout.write(`Usage: labbook smoke NOTEBOOK.ipynb [options]\n\n${SMOKE_USAGE}`);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new UsageError(`expected one notebook, got ${parsed.positionals.length} arguments`);
    if (parsed.values.model !== undefined && !/^[^/]+\/\d+$/.test(parsed.values.model)) throw new UsageError(`--model expects NAME/VERSION, got '${parsed.values.model}'`);
    if (parsed.values.store !== undefined && parsed.values.model === undefined) throw new UsageError('--store names where --model NAME/VERSION is; give --model too');
  } catch (err) {
    io.stderr.write(`labbook smoke: ${errorMessage(err)}\n\n${SMOKE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  let target: SmokeTarget | undefined;
  try {
    // The version the result goes on is found before the notebook runs (minutes), not after.
    if (values.model !== undefined) target = await smokeTarget(values.model, values.store, sqliteRuntime);
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got '${values.timeout}'`);
    const parameters = Object.fromEntries((values.set ?? []).map(parseSetting));
    const notebookPath = positionals[0] ?? '';
    const result = await executeNotebook({
      python: values.python ?? 'python3',
      notebookPath,
      parameters,
      ...(timeout !== undefined ? { cellTimeoutSeconds: timeout } : {}),
      ...(values.out ? { outputPath: values.out } : {}),
      ...(signal ? { signal } : {}),
      onOutput: (text) => io.stderr.write(text),
    });
    // The result is reported first; a result that could not be recorded then makes it an error.
    const recorded = async (code: number) => (target && !(await target.record(result.ok, io)) ? 2 : code);
    if (result.ok) {
      io.stdout.write(`ok: ${notebookPath} ran top to bottom in ${formatDuration(result.durationMs) ?? '0 ms'}; executed notebook: ${result.executedPath}\n`);
      return await recorded(0);
    }
    const failed = result.failedCell;
    io.stdout.write(
      `FAILED: ${notebookPath}, cell ${failed ? failed.index + 1 : '?'}${failed?.cellId ? ` (id ${failed.cellId})` : ''}${failed?.inInjectedParameters ? ' (the injected parameters)' : ''}: ${failed?.ename ?? ''}: ${failed?.evalue ?? ''}\n`,
    );
    if (failed?.traceback.length) io.stdout.write(`${failed.traceback.join('\n').replace(ANSI, '')}\n`);
    io.stdout.write(`Executed notebook (with outputs so far): ${result.executedPath}\n`);
    return await recorded(1);
  } catch (err) {
    const message = errorMessage(err);
    io.stderr.write(`labbook smoke: ${message}\n`);
    return err instanceof UsageError || err instanceof TrackingError ? 2 : 1;
  } finally {
    await target?.close();
  }
}

interface SmokeTarget {
  /** Records the result; false (with the reason printed) when it could not be. */
  record(ok: boolean, io: CommandIo): Promise<boolean>;
  close(): Promise<void>;
}

/** Where the result goes, as a tag on the model version, for `labbook gate --rule "smoke passed"`: checked to exist. */
async function smokeTarget(model: string, storeFile: string | undefined, sqliteRuntime: SqliteRuntime): Promise<SmokeTarget> {
  const at = model.lastIndexOf('/');
  const [name, version] = [model.slice(0, at), model.slice(at + 1)];
  const { store } = await openCliStore({ ...(storeFile !== undefined ? { store: storeFile } : {}), env: process.env, cwd: process.cwd(), sqliteRuntime, mustExist: true });
  try {
    await store.getModelVersion(name, version);
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    async record(ok, io) {
      const value = ok ? 'passed' : 'failed';
      try {
        await store.setModelVersionTag(name, version, { key: SMOKE_STATUS_TAG, value });
        io.stderr.write(`recorded ${SMOKE_STATUS_TAG}=${value} on ${model}\n`);
        return true;
      } catch (err) {
        io.stderr.write(`labbook smoke: the notebook ${ok ? 'passed' : 'failed'}, but ${SMOKE_STATUS_TAG}=${value} could not be recorded on ${model}: ${errorMessage(err)}\n`);
        return false;
      }
    },
    close: () => store.close(),
  };
}
