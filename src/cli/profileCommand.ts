// `labbook profile FILE [--json]`: the data profile of one CSV, TSV, Parquet or JSON-lines file, as
// a readable summary or as the DataProfile JSON (the same object runs store in
// labbook/data/profile.json). Exit 0: profiled; 2: usage, or a file it cannot profile (with why).
import { profileFile } from '../core/profile/profileFile.ts';
import type { ColumnProfile, DataProfile, TableFormat } from '../core/profile/types.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import type { CommandIo } from './exportCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const PROFILE_USAGE = `  profile Profile a data file (CSV, TSV, Parquet, JSON lines): rows, and per column its type,
          nulls, distinct values, range, mean, quantiles and most frequent values.
          labbook profile FILE [--json] [--format csv|tsv|parquet|jsonl]
          --json          print the profile as JSON (the format runs store)
          --format F      read the file as F whatever its extension
`;

const PROFILE_OPTIONS = {
  json: { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS: readonly TableFormat[] = ['csv', 'tsv', 'parquet', 'jsonl'];

export async function profileCommand(args: string[], io: CommandIo): Promise<number> {
  let file: string;
  let json: boolean;
  let format: TableFormat | undefined;
  try {
    const { values, positionals } = parseCommandArgs(args, PROFILE_OPTIONS);
    if (values.help) {
      io.stdout.write(`Usage: labbook profile FILE [options]\n\n${PROFILE_USAGE}`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length} argument(s)`);
    file = positionals[0] ?? '';
    json = values.json ?? false;
    if (values.format !== undefined) {
      if (!FORMATS.includes(values.format as TableFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
      format = values.format as TableFormat;
    }
  } catch (err) {
    io.stderr.write(`labbook profile: ${errorMessage(err)}\n\n${PROFILE_USAGE}`);
    return 2;
  }
  let profile: DataProfile;
  try {
    profile = await profileFile(file, format ? { format } : {});
  } catch (err) {
    io.stderr.write(`labbook profile: ${errorMessage(err)}\n`);
    return 2;
  }
  io.stdout.write(json ? `${JSON.stringify(profile, null, 2)}\n` : profileText(profile));
  return 0;
}

/** The profile as a few lines per column, for a terminal. */
export function profileText(profile: DataProfile): string {
  const { source } = profile;
  const lines = [
    `${source.path} (${source.format.toUpperCase()}, ${bytes(source.size)}): ${count(profile.rows)} rows × ${profile.columns.length} columns, profiled in ${profile.durationMs} ms`,
  ];
  for (const note of profile.notes) lines.push(`  note: ${note}`);
  for (const column of profile.columns) lines.push('', ...columnText(column));
  return `${lines.join('\n')}\n`;
}

function columnText(column: ColumnProfile): string[] {
  const role = column.role === 'feature' ? '' : `, ${column.role}${column.roleReason ? ` (${column.roleReason})` : ''}`;
  const lines = [`${column.name}  ${column.type}, ${column.kind}${role}`];
  const distinct = `${column.distinctApprox ? '~' : ''}${count(column.distinct)} distinct`;
  lines.push(`  nulls ${count(column.nulls)} (${percent(column.nullShare)}), ${distinct}`);
  if (column.min !== undefined && column.max !== undefined) {
    const moments = column.mean !== undefined ? `, mean ${num(column.mean)}${column.std !== undefined ? `, std ${num(column.std)}` : ''}` : '';
    lines.push(`  range ${value(column.min)} … ${value(column.max)}${moments}`);
  }
  if (column.quantiles && column.kind === 'numeric') {
    const q = column.quantiles;
    lines.push(`  p1 ${num(q[1])}, p25 ${num(q[25])}, median ${num(q[50])}, p75 ${num(q[75])}, p99 ${num(q[99])}`);
  }
  if (column.topValues?.length) {
    const shown = column.topValues.slice(0, 5).map((t) => `${JSON.stringify(t.value)} ${count(t.count)}`);
    const other = column.topValues.slice(5).reduce((sum, t) => sum + t.count, 0) + (column.otherCount ?? 0);
    lines.push(`  top ${shown.join(', ')}${other > 0 ? `, … (${count(other)} other rows)` : ''}`);
  }
  return lines;
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
const value = (v: number | string) => (typeof v === 'number' ? num(v) : v);

function num(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return 'n/a';
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return Math.abs(n) >= 1e6 || Math.abs(n) < 1e-3 ? n.toExponential(4) : String(Number(n.toPrecision(6)));
}

function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 ** 2) return `${(size / 1024).toFixed(1)} KB`;
  if (size < 1024 ** 3) return `${(size / 1024 ** 2).toFixed(1)} MB`;
  return `${(size / 1024 ** 3).toFixed(2)} GB`;
}
