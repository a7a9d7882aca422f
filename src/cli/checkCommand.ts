// `labbook check`: runs the data checks of `.labbook/checks.yaml` on the data, as the editor does
// before a launch; the CI step before training. Exit 0: every rule passed; 1: a rule failed;
// 2: a rule could not be decided (missing or unreadable data, a bad checks file) or bad usage.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';
import { CHECKS_FILE, checkWithFile, formatCheckRun, summarize } from '../core/checks/index.ts';
import { createCheckEngine } from '../core/checks/engine.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import { openCliStore } from './cliStore.ts';
import type { RunCommandIo } from './runCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const CHECK_USAGE = `  check   Run the data checks of .labbook/checks.yaml on the data (exit 0: all passed,
          1: a check failed, 2: a check could not run, e.g. missing data or a bad checks file).
          labbook check [options]
          --checks FILE  the checks file (default: .labbook/checks.yaml here); dataset paths are
                         relative to this folder
          --data FILE    check this file only, against the datasets whose path matches it and
                         those with \`inputs: true\`; when none applies, against every dataset's rules
          --store FILE   the local store that drift references (run ids, models:/NAME@ALIAS) are
                         read from (default: the MLFLOW_TRACKING_URI server when it is set,
                         else .labbook/tracking.db here)
          --json         print the results as one JSON object
`;

const CHECK_OPTIONS = {
  checks: { type: 'string' },
  data: { type: 'string' },
  store: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CHECKS_JSON_FORMAT = 'labbook.checks/1';

export async function checkCommand(args: string[], io: RunCommandIo, sqliteRuntime: SqliteRuntime = {}): Promise<number> {
  let values;
  try {
    const parsed = parseCommandArgs(args, CHECK_OPTIONS);
    values = parsed.values;
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0] ?? ''}' (did you mean --data FILE?)`);
  } catch (err) {
    io.stderr.write(`labbook check: ${errorMessage(err)}\n\n${CHECK_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`Usage: labbook check [options]\n\n${CHECK_USAGE}`);
    return 0;
  }
  const checksFile = path.resolve(io.cwd, values.checks ?? CHECKS_FILE);
  if (!existsSync(checksFile)) {
    io.stderr.write(`labbook check: there is no checks file at ${checksFile} (write ${CHECKS_FILE}, or pass --checks FILE)\n`);
    return 2;
  }
  if (values.data !== undefined && !existsSync(path.resolve(io.cwd, values.data))) {
    io.stderr.write(`labbook check: --data ${values.data} does not exist\n`);
    return 2;
  }
  // The store is opened only when a drift rule names a run or a model.
  let opened: Promise<TrackingStore> | undefined;
  const store = () => (opened ??= openCliStore({ ...(values.store !== undefined ? { store: values.store } : {}), env: io.env, cwd: io.cwd, sqliteRuntime, mustExist: true }).then((o) => o.store));
  const engine = createCheckEngine({ store });
  try {
    const run = await checkWithFile(checksFile, engine, io.cwd, values.data !== undefined ? { mode: 'file', file: values.data } : { mode: 'all' });
    const summary = summarize(run.results);
    const shownFile = path.relative(io.cwd, checksFile) || checksFile;
    if (values.json) io.stdout.write(`${JSON.stringify({ format: CHECKS_JSON_FORMAT, checks: shownFile, summary, results: run.results, notes: run.notes, files: run.files.map((f) => path.relative(io.cwd, f)) }, null, 2)}\n`);
    else io.stdout.write(formatCheckRun(run, shownFile));
    return summary.errors > 0 ? 2 : summary.failed > 0 ? 1 : 0;
  } finally {
    if (opened) await opened.then((s) => (s as { close?: () => Promise<void> }).close?.(), () => undefined);
  }
}
