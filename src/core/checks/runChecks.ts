// Runs a checks spec against the data: resolves each dataset's files (a path, a glob, or the run's
// inputs), profiles each file once, and decides every rule. Unreadable or missing data is an error
// result with the reason, never a throw: the caller shows it on the dataset's line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseDriftSource, type DriftSource } from '../drift/driftSources.ts';
import { DEFAULT_DRIFT_OPTIONS, DRIFT_TEST_NAMES, type DriftOptions, type DriftReport, type DriftTest } from '../drift/types.ts';
import type { DataProfile } from '../profile/types.ts';
import type { Offenders } from './columnQueries.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { columnResults, formatValue } from './columnRules.ts';
import { coversFile, datasetGlob, hasGlob, inputFiles, resolveDatasetFiles } from './datasetFiles.ts';
import type { CheckResult, ChecksSpec, DatasetSpec, SourceRange } from './types.ts';

/** The data engine the rules read through: the profiler, its table reader and the drift engine. */
export interface CheckEngine {
  profile(file: string): Promise<DataProfile>;
  /** Values of `column` that appear more than once. */
  repeatedValues(file: string, column: string): Promise<Offenders>;
  /** Values of `column` outside `allowed`. */
  disallowedValues(file: string, column: string, allowed: readonly (string | number | boolean)[]): Promise<Offenders>;
  /**
   * `file`'s drift against a reference (a run, `models:/NAME@ALIAS` or a file, as parseDriftSource
   * reads it); `cwd` is the workspace folder a run's relative inputs are found from. Without it
   * drift rules are errors.
   */
  drift?(against: DriftSource, file: string, options: DriftOptions, cwd: string): Promise<DriftReport>;
}

/**
 * all: every dataset with a path; `inputs: true` datasets get `inputs` (may be empty).
 * launch: the datasets a launch uses: with data paths, the path datasets whose files they cover and
 *   the `inputs` datasets over them; without, every path dataset.
 * file: one file, checked against the datasets whose path matches it and the `inputs` datasets; when
 *   none of them applies, against every dataset's rules.
 */
export type CheckSelection =
  | { readonly mode: 'all'; readonly inputs?: readonly string[] }
  | { readonly mode: 'launch'; readonly dataPaths: readonly string[] }
  | { readonly mode: 'file'; readonly file: string };

export interface CheckRun {
  readonly results: readonly CheckResult[];
  /** What was left out and why ("the run's inputs: no data paths to check"). */
  readonly notes: readonly string[];
  /** The data files read. */
  readonly files: readonly string[];
}

interface Planned {
  readonly dataset: DatasetSpec;
  readonly files: readonly string[];
  /** Why a dataset has no file to check (an error result on its line). */
  readonly problem?: string;
}

const posix = (p: string) => p.split(path.sep).join('/');

function relativeTo(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? posix(rel) : file;
}

function datasetRange(d: DatasetSpec): SourceRange {
  return d.path?.range ?? d.range;
}

async function plan(spec: ChecksSpec, root: string, selection: CheckSelection, notes: string[]): Promise<Planned[]> {
  const out: Planned[] = [];
  if (selection.mode === 'file') {
    const file = path.resolve(root, selection.file);
    const rel = relativeTo(root, file);
    const matches = (d: DatasetSpec) => {
      if (d.inputs) return true;
      const p = d.path?.value ?? '';
      return hasGlob(p) ? datasetGlob(p).test(rel) : path.resolve(root, p) === file;
    };
    const chosen = spec.datasets.filter(matches);
    if (chosen.length === 0) notes.push(`${rel} matches no dataset's path: checked against every dataset's rules`);
    for (const dataset of chosen.length > 0 ? chosen : spec.datasets) out.push({ dataset, files: [file] });
    return out;
  }
  const dataPaths = selection.mode === 'launch' ? selection.dataPaths.map((p) => path.resolve(root, p)) : (selection.inputs ?? []).map((p) => path.resolve(root, p));
  const inputs = await inputFiles(dataPaths);
  for (const dataset of spec.datasets) {
    if (dataset.inputs) {
      if (inputs.length === 0) notes.push(`${dataset.label}: no tabular data paths to check (labbook.dataPaths)`);
      else out.push({ dataset, files: inputs });
      continue;
    }
    const pattern = dataset.path?.value ?? '';
    const { files, truncated } = await resolveDatasetFiles(root, pattern);
    if (truncated) notes.push(`${dataset.label}: the glob walked too many entries; only the files found so far were checked`);
    if (selection.mode === 'launch' && dataPaths.length > 0) {
      const used = files.filter((f) => dataPaths.some((p) => coversFile(p, f)));
      if (used.length > 0) out.push({ dataset, files: used });
      continue;
    }
    if (files.length === 0) out.push({ dataset, files, problem: `no file matches ${pattern}` });
    else out.push({ dataset, files });
  }
  return out;
}

function driftResult(report: DriftReport, share: number, against: string, base: Omit<CheckResult, 'status' | 'message' | 'observed' | 'expected'>): CheckResult {
  const { driftedColumns, comparedColumns } = report.dataset;
  const failed = driftedColumns > 0 && report.dataset.share >= share;
  const drifted = report.columns
    .filter((c) => c.drifted && c.test !== undefined && c.score !== undefined)
    .slice(0, 5)
    .map((c) => `${c.column} (${DRIFT_TEST_NAMES[c.test as DriftTest]} ${formatValue(c.score ?? 0)}, threshold ${formatValue(c.threshold ?? 0)})`);
  const removed = report.dataset.schema.removed.map((c) => c.column);
  const observed = `${driftedColumns} of ${comparedColumns} columns drifted (share ${formatValue(report.dataset.share)})`;
  const detail = [drifted.length ? `: ${drifted.join(', ')}` : '', removed.length ? `; missing columns: ${removed.join(', ')}` : ''].join('');
  return {
    ...base,
    status: failed ? 'fail' : 'pass',
    expected: `drifted share < ${formatValue(share)}`,
    observed,
    message: `drift against ${against}: ${observed}${failed ? ` >= ${formatValue(share)}` : ''}${detail}`,
  };
}

/** Every rule of every selected dataset; never throws for bad data. */
export async function runChecks(spec: ChecksSpec, engine: CheckEngine, root: string, selection: CheckSelection): Promise<CheckRun> {
  const notes: string[] = [];
  const results: CheckResult[] = [];
  const planned = await plan(spec, root, selection, notes);
  // Profiles are read once per file, whichever datasets share it.
  const profiles = new Map<string, Promise<DataProfile>>();
  const files = new Set<string>();
  for (const { dataset, files: datasetFiles, problem } of planned) {
    const base = { dataset: dataset.label };
    if (problem) {
      results.push({ ...base, rule: 'dataset', status: 'error', message: `${dataset.label}: ${problem}`, range: datasetRange(dataset) });
      continue;
    }
    for (const file of datasetFiles) {
      const rel = relativeTo(root, file);
      if (!existsSync(file)) {
        results.push({ ...base, file: rel, rule: 'dataset', status: 'error', message: `${rel} does not exist`, range: datasetRange(dataset) });
        continue;
      }
      files.add(file);
      let profile: DataProfile;
      try {
        if (!profiles.has(file)) profiles.set(file, engine.profile(file));
        profile = await (profiles.get(file) as Promise<DataProfile>);
      } catch (err) {
        results.push({ ...base, file: rel, rule: 'dataset', status: 'error', message: `${rel} could not be read: ${errorMessage(err)}`, range: datasetRange(dataset) });
        continue;
      }
      const ctx = {
        dataset: dataset.label,
        file: rel,
        repeated: (column: string) => engine.repeatedValues(file, column),
        disallowed: (column: string, allowed: readonly (string | number | boolean)[]) => engine.disallowedValues(file, column, allowed),
      };
      for (const column of dataset.columns) {
        try {
          results.push(...(await columnResults(column, profile, ctx)));
        } catch (err) {
          results.push({ ...base, file: rel, column: column.name, rule: 'column', status: 'error', message: `${column.name}: could not be checked: ${errorMessage(err)}`, range: column.range });
        }
      }
      const rows = dataset.rows;
      if (rows?.min) {
        const ok = profile.rows >= rows.min.value;
        results.push({ ...base, file: rel, rule: 'rows.min', status: ok ? 'pass' : 'fail', expected: `>= ${rows.min.value}`, observed: String(profile.rows), message: `rows: ${profile.rows} ${ok ? '>=' : '<'} ${rows.min.value}`, range: rows.min.range });
      }
      if (rows?.max) {
        const ok = profile.rows <= rows.max.value;
        results.push({ ...base, file: rel, rule: 'rows.max', status: ok ? 'pass' : 'fail', expected: `<= ${rows.max.value}`, observed: String(profile.rows), message: `rows: ${profile.rows} ${ok ? '<=' : '>'} ${rows.max.value}`, range: rows.max.range });
      }
      if (dataset.drift) results.push(await driftCheck(dataset, file, rel, engine, root));
    }
  }
  return { results, notes, files: [...files] };
}

async function driftCheck(dataset: DatasetSpec, file: string, rel: string, engine: CheckEngine, root: string): Promise<CheckResult> {
  const drift = dataset.drift as NonNullable<DatasetSpec['drift']>;
  const against = drift.against.value;
  const base = { rule: 'drift' as const, dataset: dataset.label, file: rel, range: drift.against.range };
  const share = drift.datasetShare ?? DEFAULT_DRIFT_OPTIONS.datasetShare;
  if (!engine.drift) return { ...base, status: 'error', message: `drift against ${against}: no drift engine here` };
  const options: DriftOptions = {
    ...DEFAULT_DRIFT_OPTIONS,
    datasetShare: share,
    thresholds: { ...DEFAULT_DRIFT_OPTIONS.thresholds, ...(drift.thresholds as Partial<Record<DriftTest, number>> | undefined) },
  };
  // The drift command's own reading of a reference (runs:/ID, models:/NAME@ALIAS, an existing file,
  // a bare run id); anything else is a file relative to the workspace, reported missing when read.
  const parsed = parseDriftSource(against, (p) => existsSync(path.resolve(root, p)));
  const reference: DriftSource = !parsed ? { kind: 'file', path: path.resolve(root, against) } : parsed.kind === 'file' ? { kind: 'file', path: path.resolve(root, parsed.path) } : parsed;
  try {
    return driftResult(await engine.drift(reference, file, options, root), share, against, base);
  } catch (err) {
    return { ...base, status: 'error', message: `drift against ${against}: ${errorMessage(err)}` };
  }
}
