// How runs read in the explorer: plain functions (no `vscode`), unit-tested in Node.
import type { Metric, Run, RunStatus } from '../../core/store/types.ts';
import { formatDuration, formatNumber } from '../../shared/format.ts';

/** The metrics a user asked to see (in that order), or the first two the run has. */
export function keyMetrics(run: Run, wanted: readonly string[], fallbackCount = 2): Metric[] {
  const byKey = new Map(run.data.metrics.map((m) => [m.key, m]));
  if (wanted.length > 0) return wanted.flatMap((key) => (byKey.has(key) ? [byKey.get(key) as Metric] : []));
  return [...run.data.metrics].sort((a, b) => a.key.localeCompare(b.key)).slice(0, fallbackCount);
}

/** The explorer line after a run's name: key metrics, then how long it ran (or has been running). */
export function runDescription(run: Run, wanted: readonly string[], now: number): string {
  const metrics = keyMetrics(run, wanted).map((m) => `${m.key} ${formatNumber(m.value)}`);
  const end = run.info.endTime ?? (run.info.status === 'RUNNING' ? now : null);
  const duration = formatDuration(end === null ? null : end - run.info.startTime);
  return [...metrics, ...(duration ? [duration] : [])].join(' · ');
}

export const STATUS_LABEL: Record<RunStatus, string> = {
  RUNNING: 'Running',
  SCHEDULED: 'Scheduled',
  FINISHED: 'Finished',
  FAILED: 'Failed',
  KILLED: 'Killed',
};

/** Markdown-safe text: run names, params and tags come from users' code. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

/** The hover of a run: status, times, source, git commit, note, metrics, params and tags, as Markdown. */
export function runTooltipMarkdown(run: Run, now: number): string {
  const tag = (key: string) => run.data.tags.find((t) => t.key === key)?.value;
  const facts = [
    `**${escapeMarkdown(run.info.runName)}** — ${STATUS_LABEL[run.info.status]}`,
    `Run ID: \`${run.info.runId}\``,
    `Started: ${new Date(run.info.startTime).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
  ];
  const duration = formatDuration((run.info.endTime ?? now) - run.info.startTime);
  if (duration) facts.push(`${run.info.endTime === null ? 'Running for' : 'Duration'}: ${duration}`);
  const source = tag('mlflow.source.name');
  if (source) facts.push(`Source: ${escapeMarkdown(source)}`);
  const commit = tag('mlflow.source.git.commit');
  if (commit) facts.push(`Git commit: \`${commit.slice(0, 12)}\``);
  // Paragraphs are separated by blank lines; lines within one by a Markdown hard break.
  const blocks = [facts.join('  \n')];
  const note = tag('mlflow.note.content');
  if (note) blocks.push(`_${escapeMarkdown(note)}_`);
  const table = (title: string, rows: readonly { key: string; value: string }[]) => {
    if (rows.length === 0) return;
    const body = rows.slice(0, 30).map((r) => `| ${escapeMarkdown(r.key)} | ${escapeMarkdown(r.value)} |`);
    if (rows.length > 30) body.push(`| … ${rows.length - 30} more | |`);
    blocks.push([`| ${title} | |`, '|---|---|', ...body].join('\n'));
  };
  table('Metrics', run.data.metrics.map((m) => ({ key: m.key, value: formatNumber(m.value) })));
  table('Params', run.data.params);
  table('Tags', run.data.tags.filter((t) => !t.key.startsWith('mlflow.')));
  return blocks.join('\n\n');
}
