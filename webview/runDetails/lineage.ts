// The run's lineage on the Overview tab: the datasets it took as input (MLflow 3 dataset inputs:
// name, digest, source, schema, profile) and the logged models it made or used, with each model's
// linked metrics. All values are rendered as text.
import type { DatasetRow, LoggedModelRow, RunDetails } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { textTable } from './table.ts';

/** `{"mlflow_colspec": [{"name": "a", "type": "double"}, …]}` → `a: double, …`; other schemas as given. */
export function schemaSummary(schema: string | null): string {
  if (schema === null || schema === '') return '';
  try {
    const parsed = JSON.parse(schema) as { mlflow_colspec?: { name?: string; type?: string }[]; mlflow_tensorspec?: unknown[] };
    if (Array.isArray(parsed.mlflow_colspec)) return parsed.mlflow_colspec.map((c) => `${c.name ?? '?'}: ${c.type ?? '?'}`).join(', ');
    if (Array.isArray(parsed.mlflow_tensorspec)) return `${parsed.mlflow_tensorspec.length} tensor(s)`;
  } catch {
    // Not JSON: shown as it is.
  }
  return schema;
}

/** `{"num_rows": 150, "num_elements": 600}` → `num_rows 150, num_elements 600`. */
export function profileSummary(profile: string | null): string {
  if (profile === null || profile === '') return '';
  try {
    const parsed = JSON.parse(profile) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.entries(parsed).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
    }
  } catch {
    // Not JSON: shown as it is.
  }
  return profile;
}

/** MLflow's dataset sources are JSON (`{"uri": …}`, `{"url": …}`, code source tags): the location if there is one. */
export function sourceSummary(row: DatasetRow): string {
  try {
    const parsed = JSON.parse(row.source) as Record<string, unknown>;
    for (const key of ['uri', 'url', 'path', 'table_name']) if (typeof parsed[key] === 'string') return `${row.sourceType}: ${parsed[key]}`;
    const tags = parsed['tags'] as Record<string, unknown> | undefined;
    if (tags && typeof tags['mlflow.source.name'] === 'string') return `${row.sourceType}: ${tags['mlflow.source.name']}`;
  } catch {
    // Not JSON: shown as it is.
  }
  return row.source ? `${row.sourceType}: ${row.source}` : row.sourceType;
}

function metricsText(model: LoggedModelRow): string {
  return model.metrics
    .map((m) => `${m.key} ${formatNumber(m.value)}${m.dataset ? ` on ${m.dataset}` : ''}${m.step ? ` @${m.step}` : ''}`)
    .join(', ');
}

export function renderLineage(panel: HTMLElement, details: RunDetails): void {
  const lineage = details.lineage;
  if (!lineage) return;
  const section = el('section', { className: 'lineage', attrs: { 'data-testid': 'lineage' } }, [el('h2', { text: 'Datasets' })]);
  if (lineage.datasets.length === 0) section.append(el('p', { className: 'muted empty', text: 'No dataset inputs were logged (mlflow.log_input, or autolog).' }));
  else {
    const rows = lineage.datasets.map((d) => [d.name, d.digest, d.context ?? '', sourceSummary(d), schemaSummary(d.schema), profileSummary(d.profile)]);
    section.append(el('div', { className: 'table-scroll' }, [textTable(['Name', 'Digest', 'Context', 'Source', 'Schema', 'Profile'], rows, { 'data-testid': 'datasets' })]));
  }
  section.append(el('h2', { text: 'Logged models' }));
  if (lineage.models.length === 0) section.append(el('p', { className: 'muted empty', text: 'No logged models: the run neither logged nor used one.' }));
  else {
    const rows = lineage.models.map((m) => [m.name ?? '(not readable)', m.modelId, m.role === 'output' ? `output${m.step ? ` @${m.step}` : ''}` : 'input', m.status ?? '', metricsText(m)]);
    section.append(el('div', { className: 'table-scroll' }, [textTable(['Name', 'Model ID', 'Role', 'Status', 'Metrics'], rows, { 'data-testid': 'logged-models' })]));
  }
  panel.append(section);
}
