// `labbook sweep export FILE`: the sweep as a Metaflow flow (sweep_flow.py) that runs its trials
// as parallel branches, locally or on a cluster (--with kubernetes / batch), logging into the
// tracking server the sweep names. Exit 0 written; 1 not written (the file exists without
// --force, or the sweep cannot run as a flow); 2 usage errors or an unreadable/invalid sweep file.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SweepExportError, sweepFlowSource, sweepFlowWarnings } from '../core/sweep/metaflowExport.ts';
import { parseSweepFile, SWEEP_DIR } from '../core/sweep/sweepFile.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import type { CommandIo } from './exportCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const SWEEP_EXPORT_USAGE = `  sweep export  Write a sweep as a Metaflow flow that runs its trials as parallel branches,
          locally (python sweep_flow.py run) or on a cluster (--with kubernetes / batch), each
          trial a child run in the tracking server the sweep logs into.
          labbook sweep export FILE [-o DIR/sweep_flow.py] [--tracking-uri URI] [--round-size K] [--force]
          -o, --out PATH       the flow file, or a folder for sweep_flow.py (default: sweep_flow.py in
                               the workspace, the folder holding ${SWEEP_DIR}); the script must be
                               in or below its folder for Metaflow to package it
          --tracking-uri URI   the tracking server (default when run: MLFLOW_TRACKING_URI)
          --round-size K       bayes: trials asked per round (default: the sweep's parallelism)
          --force              overwrite an existing file
`;

/** The folder a sweep file's paths are relative to: the workspace holding .labbook/sweeps, else `cwd`. */
export function sweepWorkspace(file: string, cwd: string): string {
  const dir = path.dirname(path.resolve(cwd, file));
  const suffix = path.join(...SWEEP_DIR.split('/'));
  return dir.endsWith(path.sep + suffix) ? dir.slice(0, -(suffix.length + 1)) : cwd;
}

function outputFile(out: string | undefined, workspace: string, cwd: string): string {
  if (out === undefined) return path.join(workspace, 'sweep_flow.py');
  const resolved = path.resolve(cwd, out);
  const isDir = out.endsWith('/') || out.endsWith(path.sep) || (existsSync(resolved) && statSync(resolved).isDirectory()) || !resolved.endsWith('.py');
  return isDir ? path.join(resolved, 'sweep_flow.py') : resolved;
}

function roundSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--round-size must be a whole number of trials (1 or more), got ${text}`);
  return n;
}

export async function sweepExportCommand(args: string[], io: CommandIo, cwd = process.cwd()): Promise<number> {
  try {
    return await runSweepExport(args, io, cwd);
  } catch (err) {
    io.stderr.write(`labbook sweep export: ${errorMessage(err)}\n`);
    if (err instanceof UsageError) io.stderr.write(`\n${SWEEP_EXPORT_USAGE}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

async function runSweepExport(args: string[], io: CommandIo, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    out: { type: 'string', short: 'o' },
    'tracking-uri': { type: 'string' },
    'round-size': { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`Usage: labbook sweep export FILE [options]\n\n${SWEEP_EXPORT_USAGE}`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one sweep file, got ${positionals.length} arguments`);
  const file = path.resolve(cwd, positionals[0] ?? '');
  const size = roundSize(values['round-size']);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    io.stderr.write(`labbook sweep export: cannot read ${file}: ${errorMessage(err)}\n`);
    return 2;
  }
  const parsed = parseSweepFile(text, path.basename(file));
  if (!parsed.spec || parsed.problems.length > 0) {
    for (const p of parsed.problems) io.stderr.write(`${file}:${p.line + 1}:${p.column + 1}: ${p.message}\n`);
    if (parsed.problems.length === 0) io.stderr.write(`labbook sweep export: ${file} is not a valid sweep file\n`);
    return 2;
  }
  const spec = parsed.spec;
  const workspace = sweepWorkspace(file, cwd);
  const target = outputFile(values.out, workspace, cwd);
  const options = {
    cwd: workspace,
    flowDir: path.dirname(target),
    sourceFile: path.relative(path.dirname(target), file),
    fileName: path.basename(target),
    ...(values['tracking-uri'] ? { trackingUri: values['tracking-uri'] } : {}),
    ...(size !== undefined ? { roundSize: size } : {}),
  };
  let source: string;
  try {
    source = sweepFlowSource(spec, options);
  } catch (err) {
    if (!(err instanceof SweepExportError)) throw err;
    io.stderr.write(`labbook sweep export: ${err.message}\n`);
    return 1;
  }
  if (existsSync(target) && !values.force) {
    io.stderr.write(`labbook sweep export: ${target} exists; use --force to overwrite it.\n`);
    return 1;
  }
  await mkdir(path.dirname(target), { recursive: true });
  // Whole or not at all: a temp file renamed over the target.
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, source, 'utf8');
  await rename(temp, target);
  const rel = path.relative(cwd, target) || target;
  io.stdout.write(`Wrote ${rel} (${spec.method} sweep ${spec.name}).\n`);
  for (const w of sweepFlowWarnings(spec, options)) io.stdout.write(`Warning: ${w}\n`);
  const uri = values['tracking-uri'] ? '' : ' --tracking_uri URI';
  const folder = path.relative(cwd, path.dirname(target));
  io.stdout.write(`Run it: ${folder ? `cd ${folder} && ` : ''}python ${path.basename(target)} run --max-workers ${spec.parallelism}${uri}\n`);
  io.stdout.write(`On a cluster: python ${path.basename(target)} run --with kubernetes (or --with batch)\n`);
  return 0;
}
