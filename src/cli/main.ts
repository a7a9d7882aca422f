// `labbook` on the command line, over the same core the extension uses.
//   labbook serve [--store FILE] [--port N] [--token TOKEN]
//   labbook diff A.ipynb B.ipynb [options]
//   labbook merge BASE LOCAL REMOTE [-o OUT] [options] | labbook merge --git %O %A %B %P
//   labbook export NOTEBOOK.ipynb --out DIR [--force] [--dry-run]
//   labbook smoke NOTEBOOK.ipynb [--python PY] [--timeout S] [--set k=v ...] [--model M/V]
//   labbook run [--experiment NAME] [--store FILE] [--name RUN] -- python train.py ARGS...
//   labbook gate MODEL CANDIDATE [--against @ALIAS] [--rule RULE ...] [--promote @ALIAS] [--json]
//   labbook ci init [PIPELINE_DIR] --model NAME [--github] [--gitlab] [--schedule CRON] [--force]
//   labbook check [--checks FILE] [--data FILE] [--store FILE] [--json]
//   labbook profile FILE [--json] [--format csv|tsv|parquet|jsonl]
//   labbook drift REF CUR [--threshold T] [--test COL=TEST ...] [--file NAME] [--json]
//   labbook sweep run FILE [--store FILE] [--workers N] [--python PY] [--resume] [--json]
//   labbook sweep export FILE [-o sweep_flow.py] [--tracking-uri URI] [--force]
//   labbook queue list|cancel ID|retry ID [--store FILE] [--json]
//   labbook feast skew SERVICE --entities FILE [--repo DIR] [--python PY] [--sample N] [--threshold T] [--json]
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { DIFF_USAGE, diffCommand } from './diffCommand.ts';
import { MERGE_USAGE, mergeCommand } from './mergeCommand.ts';
import { EXPORT_USAGE } from './exportCommand.ts';
import { SMOKE_USAGE } from './smokeCommand.ts';
import { RUN_USAGE } from './runCommand.ts';
import { GATE_USAGE } from './gateCommand.ts';
import { CI_USAGE } from './ciCommand.ts';
import { CHECK_USAGE } from './checkCommand.ts';
import { PROFILE_USAGE } from './profileCommand.ts';
import { DRIFT_USAGE } from './driftCommand.ts';
import { SWEEP_USAGE } from './sweepCommand.ts';
import { SWEEP_EXPORT_USAGE } from './sweepExport.ts';
import { QUEUE_USAGE } from './queueCommand.ts';
import { FEAST_USAGE } from './feastCommand.ts';
import { errorMessage } from '../shared/errorMessage.ts';

const USAGE = `Usage: labbook <command> [options]

Commands:
  serve   Serve a local tracking store over MLflow's REST API on 127.0.0.1, so that any
          \`mlflow\` client (or \`mlflow ui\`-style tool) can log into it.
          --store FILE    the store (default: .labbook/tracking.db in this folder)
          --port N        the port (default: a free one)
          --token TOKEN   the bearer token clients must send (default: a fresh random one;
                          or set LABBOOK_TRACKING_TOKEN)
${DIFF_USAGE}${MERGE_USAGE}${EXPORT_USAGE}${SMOKE_USAGE}${RUN_USAGE}${GATE_USAGE}${CI_USAGE}${CHECK_USAGE}${PROFILE_USAGE}${DRIFT_USAGE}${SWEEP_USAGE}${SWEEP_EXPORT_USAGE}${QUEUE_USAGE}${FEAST_USAGE}`;

/** In the bundle (dist/cli.js) the SQLite addon sits beside the script; from source, npm finds it. */
function sqliteRuntime(): SqliteRuntime {
  const beside = path.join(path.dirname(process.argv[1] ?? ''), 'better_sqlite3.node');
  return existsSync(beside) ? { nativeBinding: beside } : {};
}

/** In the bundle the parser's .wasm files sit beside the script; from source, npm's copies are used. */
function bundledWasmPaths(): { treeSitterWasm: string; pythonWasm: string } | undefined {
  const dir = path.dirname(process.argv[1] ?? '');
  const treeSitterWasm = path.join(dir, 'web-tree-sitter.wasm');
  const pythonWasm = path.join(dir, 'tree-sitter-python.wasm');
  return existsSync(treeSitterWasm) && existsSync(pythonWasm) ? { treeSitterWasm, pythonWasm } : undefined;
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { store: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' } },
    strict: true,
  });
  const file = path.resolve(values.store ?? path.join('.labbook', 'tracking.db'));
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const token = values.token ?? process.env.LABBOOK_TRACKING_TOKEN;
  // Loaded here, not at the top: `labbook diff` runs once per file under git and needs no SQLite.
  const { SqliteTrackingStore } = await import('../core/store/sqlite/sqliteTrackingStore.ts');
  const { startLocalTrackingServer } = await import('../core/mlflow/server/localTrackingServer.ts');
  const store = new SqliteTrackingStore(file, { runtime: sqliteRuntime() });
  const server = await startLocalTrackingServer({ store, port, ...(token ? { token } : {}) });
  process.stdout.write(
    `Labbook is serving ${file} on ${server.url}\n` +
      `Point an mlflow client at it with:\n` +
      `  export MLFLOW_TRACKING_URI=${server.url}\n` +
      `  export MLFLOW_TRACKING_TOKEN=${server.token}\n` +
      `Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await store.close();
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // better-sqlite3 13 crashes (SIGSEGV, no JS error) on older Node: say so instead.
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 14)) {
    process.stderr.write(`labbook needs Node 22.14 or newer; this is Node ${process.versions.node}.\n`);
    return 1;
  }
  try {
    switch (command) {
      case 'serve':
        await serve(rest);
        return 0;
      case 'diff':
        return await diffCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
      case 'merge':
        return await mergeCommand(rest, { stdout: process.stdout, stderr: process.stderr });
      case 'export': {
        // Loaded on demand, like serve's SQLite: the parser's WebAssembly is only for this command.
        const { exportCommand } = await import('./exportCommand.ts');
        return await exportCommand(rest, { stdout: process.stdout, stderr: process.stderr }, bundledWasmPaths());
      }
      case 'smoke': {
        const { smokeCommand } = await import('./smokeCommand.ts');
        const abort = new AbortController();
        const cancel = () => abort.abort();
        process.once('SIGINT', cancel);
        try {
          return await smokeCommand(rest, { stdout: process.stdout, stderr: process.stderr }, abort.signal, sqliteRuntime());
        } finally {
          process.off('SIGINT', cancel);
        }
      }
      case 'run': {
        const { runCommand } = await import('./runCommand.ts');
        const abort = new AbortController();
        const cancel = () => abort.abort();
        process.once('SIGINT', cancel);
        process.once('SIGTERM', cancel);
        try {
          return await runCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, sqliteRuntime(), abort.signal, bundledWasmPaths());
        } finally {
          process.off('SIGINT', cancel);
          process.off('SIGTERM', cancel);
        }
      }
      case 'ci': {
        const { ciCommand } = await import('./ciCommand.ts');
        return await ciCommand(rest, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
      }
      case 'gate': {
        const { gateCommand } = await import('./gateCommand.ts');
        return await gateCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, sqliteRuntime());
      }
      case 'check': {
        const { checkCommand } = await import('./checkCommand.ts');
        return await checkCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, sqliteRuntime());
      }
      case 'profile': {
        // Loaded on demand: DuckDB's native engine is only for the commands that read data files.
        const { profileCommand } = await import('./profileCommand.ts');
        return await profileCommand(rest, { stdout: process.stdout, stderr: process.stderr });
      }
      case 'drift': {
        // Loaded on demand, like profile: DuckDB reads the files; SQLite only for run and alias sides.
        const { driftCommand } = await import('./driftCommand.ts');
        return await driftCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, sqliteRuntime());
      }
      case 'sweep': {
        const { sweepCommand } = await import('./sweepCommand.ts');
        // Ctrl-C pauses the sweep (resumable with --resume); a second one ends the process.
        const abort = new AbortController();
        const cancel = () => abort.abort();
        process.once('SIGINT', cancel);
        process.once('SIGTERM', cancel);
        try {
          return await sweepCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, sqliteRuntime(), abort.signal);
        } finally {
          process.off('SIGINT', cancel);
          process.off('SIGTERM', cancel);
        }
      }
      case 'feast': {
        // Loaded on demand: the skew check's comparison uses the drift engine.
        const { feastCommand } = await import('./feastCommand.ts');
        return await feastCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
      }
      case 'queue': {
        const { queueCommand } = await import('./queueCommand.ts');
        return await queueCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, sqliteRuntime());
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`labbook: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`labbook: ${errorMessage(err)}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
