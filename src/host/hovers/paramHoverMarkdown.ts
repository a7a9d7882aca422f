// The Markdown of a param's hover: the values this file's runs used with the objective metric,
// best first, the value → metric chart, and links that filter the Experiments view. Values come
// from users' runs, so every one is escaped; the only links are `labbook.filterRuns` commands (the
// hover trusts that command alone). Plain functions (no `vscode`), unit-tested in Node.
import type { ParamValues } from '../../core/runsInCode/paramValues.ts';
import { formatNumber } from '../../shared/format.ts';
import { escapeMarkdown } from '../trees/runFormat.ts';
import { paramChartSvg, svgDataUri } from './paramChart.ts';

export const FILTER_COMMAND = 'labbook.filterRuns';

/** Rows shown in the table; the rest are counted. */
const MAX_ROWS = 10;

/** The MLflow filter of runs whose param `key` is `value`: `params.\`lr\` = '0.01'`. */
export function paramFilter(key: string, value: string): string {
  // Backticks have no escape in MLflow's syntax; a key holding one is double-quoted instead.
  const quotedKey = key.includes('`') ? `"${key.replace(/"/g, '""')}"` : `\`${key}\``;
  return `params.${quotedKey} = '${value.replace(/'/g, "''")}'`;
}

/** A `command:` link address that runs labbook.filterRuns with the filter. */
export function filterCommandUri(filter: string): string {
  // encodeURIComponent leaves ( ) ' ! * as they are; a ')' would end the Markdown link early.
  const args = encodeURIComponent(JSON.stringify([filter])).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${FILTER_COMMAND}?${args}`;
}

/** One line of table text: escaped, newlines folded, long values cut. */
function cell(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return escapeMarkdown(flat.length > 60 ? `${flat.slice(0, 59)}…` : flat) || '(empty)';
}

/** A link title: in double quotes, so none inside. */
function title(text: string): string {
  return cell(text).replace(/"/g, "'");
}

export interface ParamHoverInput {
  readonly values: ParamValues;
  /** How many runs were read (the file's runs, or the launches that passed this config file). */
  readonly runCount: number;
  /** What the runs ran, for the heading: `train.py`, `configs/base.yaml`. */
  readonly fileLabel: string;
  /** The default as written in the code, if any. */
  readonly defaultText?: string;
}

export function paramHoverMarkdown(input: ParamHoverInput): string {
  const { values, runCount } = input;
  const { key, metric, direction, rows } = values;
  const used = rows.reduce((n, r) => n + r.runs, 0);
  const blocks: string[] = [];
  const heading = [
    `**${escapeMarkdown(key)}**: ${rows.length} ${rows.length === 1 ? 'value' : 'values'} in ${used} of ${runCount} ${runCount === 1 ? 'run' : 'runs'} of ${escapeMarkdown(input.fileLabel)}`,
  ];
  if (input.defaultText !== undefined) heading.push(`default in the code: \`${input.defaultText.replace(/`/g, "'").replace(/\s+/g, ' ').slice(0, 60)}\``);
  heading.push(metric ? `objective: ${escapeMarkdown(metric)} (${direction === 'lower' ? 'lower' : 'higher'} is better), best first` : 'no objective metric: set labbook\\.codeLens\\.metric to rank the values');
  blocks.push(heading.join('  \n'));
  const body = rows.slice(0, MAX_ROWS).map((r) => `| [${cell(r.value)}](${filterCommandUri(paramFilter(key, r.value))} "${title(`Filter runs by ${key} = ${r.value}`)}") | ${r.metric === undefined ? '–' : escapeMarkdown(formatNumber(r.metric))} | ${r.runs} |`);
  if (rows.length > MAX_ROWS) body.push(`| … ${rows.length - MAX_ROWS} more | | |`);
  blocks.push([`| ${cell(key)} | ${metric ? cell(metric) : 'metric'} | runs |`, '|---|---:|---:|', ...body].join('\n'));
  const svg = metric ? paramChartSvg(rows, metric) : undefined;
  if (svg) blocks.push(`![${cell(key)} → ${cell(metric ?? '')}](${svgDataUri(svg)})`);
  const best = rows[0];
  if (best) blocks.push(`[Filter runs by this param](${filterCommandUri(paramFilter(key, best.value))} "${title(`Show the runs with ${key} = ${best.value} in the Experiments view`)}")`);
  return blocks.join('\n\n');
}
