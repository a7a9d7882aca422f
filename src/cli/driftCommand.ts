// `labbook drift REF CUR`: the data drift of CUR against REF, each a data file, a run's tabular
// input or the training data of a model alias, with Evidently's default tests. Exit 0: no dataset
// drift; 1: dataset drift (at least --threshold of the compared columns drifted); 2: usage or any
// error (a file that cannot be read, an unknown run or alias), in one line.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import type { ReadableStore } from '../core/store/trackingStore.ts';
import { DRIFT_TEST_NAMES, type DriftOptions, type DriftReport, type DriftTest } from '../core/drift/types.ts';
import { parseDriftSource, type DriftSource } from '../core/drift/driftSources.ts';
import { errorFirstLine, errorMessage } from '../shared/errorMessage.ts';
import { openCliStore } from './cliStore.ts';
import type { RunCommandIo } from './runCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const DRIFT_USAGE = `  drift   Compare a data set with a reference: per-column drift tests (Evidently's defaults:
          KS / chi-square up to 1000 reference rows, Wasserstein / Jensen–Shannon above, PSI beside)
          (exit 0: no dataset drift, 1: dataset drift, 2: error).
          labbook drift REF CUR [options]
          REF, CUR             a data file (CSV, TSV, Parquet, JSON lines), runs:/RUN_ID (or a run
                               id): that run's tabular input, or models:/NAME@ALIAS: the training
                               data of the version holding the alias
          --threshold T        the dataset drifts when at least this share (0..1) of the compared
                               columns drift (default 0.5); per-test thresholds stay Evidently's
          --test COL=TEST      force a column's test (repeatable); TEST: ks, wasserstein, psi,
                               chisquare or jensenshannon
          --file NAME          which input of a run or alias side (relative path or file name),
                               when it has several (default: the largest)
          --include-ids        also compare id, row-number and timestamp columns
          --store FILE         the local store for run and alias sides (default: .labbook/tracking.db
                               here; MLFLOW_TRACKING_URI when set and no --store)
          --json               print the report (labbook.drift/1) as one JSON object
`;

const DRIFT_OPTIONS = {
  threshold: { type: 'string' },
  test: { type: 'string', multiple: true },
  file: { type: 'string' },
  'include-ids': { type: 'boolean' },
  store: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const TESTS = Object.keys(DRIFT_TEST_NAMES) as DriftTest[];

export interface DriftRequest {
  readonly reference: DriftSource;
  readonly current: DriftSource;
  readonly options: Partial<DriftOptions>;
  readonly store?: string;
  readonly json: boolean;
}

const isFile = (cwd: string) => (p: string): boolean => {
  try {
    return statSync(path.resolve(cwd, p)).isFile();
  } catch {
    return false;
  }
};

/** The command line read into a request; a UsageError for anything wrong with it. */
export function parseDriftArgs(args: readonly string[], cwd: string): DriftRequest | 'help' {
  const { values, positionals } = parseCommandArgs(args, DRIFT_OPTIONS);
  if (values.help) return 'help';
  if (positionals.length !== 2) throw new UsageError(`expected REF and CUR, got ${positionals.length} argument(s)`);
  const [refText = '', curText = ''] = positionals;
  const source = (text: string): DriftSource => {
    const parsed = parseDriftSource(text, isFile(cwd), values.file);
    if (!parsed) throw new UsageError(`${text} is not a file here, runs:/RUN_ID, a run id, or models:/NAME@ALIAS`);
    return parsed;
  };
  const reference = source(refText);
  const current = source(curText);
  let datasetShare: number | undefined;
  if (values.threshold !== undefined) {
    datasetShare = Number(values.threshold);
    if (!(datasetShare >= 0 && datasetShare <= 1)) throw new UsageError(`--threshold must be a share from 0 to 1, got '${values.threshold}'`);
  }
  const testByColumn: Record<string, DriftTest> = {};
  for (const spec of values.test ?? []) {
    const eq = spec.lastIndexOf('=');
    const column = spec.slice(0, eq);
    const test = spec.slice(eq + 1) as DriftTest;
    if (eq <= 0 || !TESTS.includes(test)) throw new UsageError(`--test takes COLUMN=TEST with TEST one of ${TESTS.join(', ')}; got '${spec}'`);
    testByColumn[column] = test;
  }
  return {
    reference, current, json: values.json ?? false,
    options: {
      ...(datasetShare !== undefined ? { datasetShare } : {}),
      ...(Object.keys(testByColumn).length > 0 ? { testByColumn } : {}),
      ...(values['include-ids'] ? { includeIdentifiers: true } : {}),
    },
    ...(values.store !== undefined ? { store: values.store } : {}),
  };
}

const fmt = (x: number | undefined): string => (x === undefined ? '' : x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6) ? String(Number(x.toPrecision(4))) : x.toExponential(2));

/** The report as a text table and a summary line. */
export function driftText(report: DriftReport): string {
  const rows = report.columns.map((c) => [
    c.column, c.test ?? '—', c.skipped ? '' : fmt(c.score), c.skipped ? '' : fmt(c.threshold),
    c.skipped ? `skipped: ${c.skipped}` : c.drifted ? 'DRIFT' : 'no',
  ]);
  const head = ['column', 'test', 'score', 'threshold', 'drifted'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < 4 ? (r[i] ?? '').length : 0))));
  const line = (r: readonly string[]) => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ').trimEnd();
  const d = report.dataset;
  const out = [`reference: ${report.reference.label} (${report.reference.rows} rows${report.reference.fromProfile ? ', from its profile' : ''})`,
    `current:   ${report.current.label} (${report.current.rows} rows${report.current.fromProfile ? ', from its profile' : ''})`, '', line(head), ...rows.map(line), ''];
  const { added, removed, typeChanged } = d.schema;
  if (added.length) out.push(`added columns: ${added.map((a) => a.column).join(', ')}`);
  if (removed.length) out.push(`removed columns: ${removed.map((a) => a.column).join(', ')}`);
  if (typeChanged.length) out.push(`type changes: ${typeChanged.map((t) => `${t.column} ${t.from} → ${t.to}`).join(', ')}`);
  for (const n of d.nullShareChanges) out.push(`null share of ${n.column}: ${fmt(n.reference)} → ${fmt(n.current)}`);
  for (const n of report.notes) out.push(`note: ${n}`);
  out.push(`${d.drifted ? 'dataset drift' : 'no dataset drift'}: ${d.driftedColumns} of ${d.comparedColumns} compared columns drifted (share ${fmt(d.share)}, threshold ${fmt(report.options.datasetShare)})`);
  return `${out.join('\n')}\n`;
}

export async function driftCommand(args: string[], io: RunCommandIo, sqliteRuntime: SqliteRuntime = {}): Promise<number> {
  let request;
  try {
    request = parseDriftArgs(args, io.cwd);
  } catch (err) {
    io.stderr.write(`labbook drift: ${errorMessage(err)}\n\n${DRIFT_USAGE}`);
    return 2;
  }
  if (request === 'help') {
    io.stdout.write(`Usage: labbook drift REF CUR [options]\n\n${DRIFT_USAGE}`);
    return 0;
  }
  let store: ReadableStore | undefined;
  try {
    if (request.reference.kind !== 'file' || request.current.kind !== 'file') {
      ({ store } = await openCliStore({ ...(request.store !== undefined ? { store: request.store } : {}), env: io.env, cwd: io.cwd, sqliteRuntime, mustExist: true }));
    }
    const { driftBetween } = await import('../core/drift/driftSources.ts');
    const { readTable } = await import('../core/profile/readTable.ts');
    const report = await driftBetween(request.reference, request.current, { ...(store ? { store } : {}), cwd: io.cwd, readTable }, request.options);
    io.stdout.write(request.json ? `${JSON.stringify(report)}\n` : driftText(report));
    return report.dataset.drifted ? 1 : 0;
  } catch (err) {
    io.stderr.write(`labbook drift: ${errorFirstLine(err)}\n`);
    return 2;
  } finally {
    await store?.close();
  }
}
