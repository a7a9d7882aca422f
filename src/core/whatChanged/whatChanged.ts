// "What changed" between two model versions or two runs of one store: both sides resolved, then
// every section read at once, each within a time budget. A section that fails or runs out of time
// is empty with a note saying so; the comparison itself never throws for what a side lacks.
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { formatNumber, formatSignedPercent } from '../../shared/format.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { diffCode, diffData, diffEnvironment } from './launchChanges.ts';
import { readSignature } from './modelFiles.ts';
import { diffColumns } from './schemaDiff.ts';
import { resolveSide } from './sides.ts';
import type { CodeSection, DataSection, EnvironmentSection, MetricsSection, SideRef, SignatureSection, WhatChanged } from './types.ts';
import { diffMetrics, diffParams } from './valueChanges.ts';

export interface WhatChangedOptions {
  /** Each section's time budget (default 20 s). */
  readonly sectionTimeoutMs?: number;
}

class SectionTimeout extends Error {}

/** The section's value, or `empty` with a note when it throws or outlasts `ms`. */
async function bounded<T extends { readonly notes: readonly string[] }>(what: string, ms: number, work: () => Promise<T>, empty: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SectionTimeout()), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (err) {
    const why = err instanceof SectionTimeout ? `took longer than ${Math.round(ms / 1000)} s` : `failed: ${errorFirstLine(err)}`;
    return { ...empty, notes: [...empty.notes, `Reading the ${what} ${why}.`] };
  } finally {
    clearTimeout(timer);
  }
}

const EMPTY_METRICS: MetricsSection = { origin: { base: null, remote: null }, rows: [], notes: [] };
const EMPTY_DATA: DataSection = { files: [], datasets: [], notes: [] };
const EMPTY_CODE: CodeSection = { base: null, remote: null, range: null, sameCommit: null, snapshotDiffers: null, patchDiffers: null, notebookPath: null, notes: [] };
const EMPTY_ENVIRONMENT: EnvironmentSection = { counts: { base: null, remote: null }, python: { base: null, remote: null }, packages: [], notes: [] };
const EMPTY_SIGNATURE: SignatureSection = { base: null, remote: null, inputs: [], outputs: [], params: [], exampleDiffers: null, notes: [] };

export async function whatChanged(store: ReadableStore, baseRef: SideRef, remoteRef: SideRef, options: WhatChangedOptions = {}): Promise<WhatChanged> {
  const ms = options.sectionTimeoutMs ?? 20_000;
  const notes: string[] = [];
  const [base, remote] = await Promise.all([resolveSide(store, baseRef, notes), resolveSide(store, remoteRef, notes)]);
  const labels = [base.info.label, remote.info.label] as const;
  const [metrics, data, code, environment, signature] = await Promise.all([
    bounded('metrics', ms, () => Promise.resolve(diffMetrics({ run: base.run, model: base.loggedModel }, { run: remote.run, model: remote.loggedModel })), EMPTY_METRICS),
    bounded('training data', ms, () => diffData(store, [{ run: base.run, label: labels[0] }, { run: remote.run, label: labels[1] }]), EMPTY_DATA),
    bounded('code', ms, () => diffCode(store, base.run, remote.run, labels), EMPTY_CODE),
    bounded('environment', ms, () => diffEnvironment(store, base.run, remote.run, labels), EMPTY_ENVIRONMENT),
    bounded('model signature', ms, async (): Promise<SignatureSection> => {
      const sigNotes: string[] = [];
      const [a, b] = await Promise.all([readSignature(store, base.info, base.run, sigNotes), readSignature(store, remote.info, remote.run, sigNotes)]);
      return {
        base: a,
        remote: b,
        inputs: a && b ? diffColumns(a.inputs, b.inputs) : [],
        outputs: a && b ? diffColumns(a.outputs, b.outputs) : [],
        params: a && b ? diffColumns(a.params, b.params) : [],
        exampleDiffers: a?.example && b?.example ? a.example.text !== b.example.text : null,
        notes: sigNotes,
      };
    }, EMPTY_SIGNATURE),
  ]);
  const params = { rows: diffParams(base.run, remote.run), notes: [] };
  const result = { base: base.info, remote: remote.info, params, metrics, data, code, environment, signature, notes };
  return { ...result, summary: summarize(result) };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line per kind of difference, most telling first. */
export function summarize(w: Omit<WhatChanged, 'summary'>): string[] {
  const out: string[] = [];
  const changedMetrics = w.metrics.rows.filter((m) => m.change !== 'same');
  // Metrics whose better direction is known first: they say the most.
  const telling = changedMetrics.filter((r) => r.delta !== null).sort((a, b) => Number(b.direction !== null) - Number(a.direction !== null));
  for (const m of telling.slice(0, 3)) {
    const pct = m.deltaPercent === null ? '' : ` (${formatSignedPercent(m.deltaPercent)})`;
    const verdict = m.verdict ? `, ${m.verdict}` : '';
    out.push(`${m.key}: ${formatNumber(m.base as number)} → ${formatNumber(m.remote as number)}${pct}${verdict}`);
  }
  if (changedMetrics.length > 3) out.push(`${count(changedMetrics.length, 'metric')} differ in all`);
  const params = w.params.rows.filter((p) => p.change !== 'same');
  if (params.length) out.push(`${count(params.length, 'param')} differ: ${params.slice(0, 5).map((p) => p.key).join(', ')}${params.length > 5 ? '…' : ''}`);
  const files = w.data.files.filter((f) => f.change !== 'same');
  const datasets = w.data.datasets.filter((d) => d.change !== 'same');
  if (files.length || datasets.length) out.push(`Training data differs: ${[files.length ? count(files.length, 'file') : '', datasets.length ? count(datasets.length, 'MLflow dataset') : ''].filter(Boolean).join(', ')}`);
  const c = w.code;
  if (c.sameCommit === false) out.push(`Code: different commits ${c.range ?? ''}`.trim());
  else if (c.sameCommit === true && (c.patchDiffers || c.snapshotDiffers)) out.push('Code: same commit, different uncommitted changes');
  else if (c.snapshotDiffers || c.patchDiffers) out.push('Code differs');
  const pkgs = w.environment.packages;
  if (pkgs.length) {
    const by = (k: string) => pkgs.filter((p) => p.change === k).length;
    const parts = (['upgraded', 'downgraded', 'added', 'removed', 'changed'] as const).map((k) => (by(k) ? `${by(k)} ${k}` : '')).filter(Boolean);
    out.push(`Environment: ${count(pkgs.length, 'package')} differ (${parts.join(', ')})`);
  }
  if (w.environment.python.base && w.environment.python.remote && w.environment.python.base !== w.environment.python.remote) out.push(`Python ${w.environment.python.base} → ${w.environment.python.remote}`);
  const s = w.signature;
  const columns = [...s.inputs, ...s.outputs, ...s.params].filter((col) => col.change !== 'same');
  if (columns.length) out.push(`Signature: ${count(columns.length, 'column')} differ`);
  if (s.exampleDiffers) out.push('Input example differs');
  if (out.length === 0) out.push('No differences found in what both sides recorded.');
  return out;
}
