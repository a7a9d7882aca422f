// `labbook diff A.ipynb B.ipynb`: the notebook diff in a terminal, as JSON, or as git's external
// diff driver. Exit status like diff(1): 0 no differences, 1 differences, 2 trouble — except under
// git (`--git`), where any status but 0 makes git stop, so differences exit 0 there too.
import { diffNotebooks } from '../core/diff/diffNotebooks.ts';
import { DEFAULT_DIFF_OPTIONS, type DiffOptions } from '../core/diff/options.ts';
import { renderText } from '../core/diff/renderText.ts';
import type { Notebook } from '../core/notebook/notebookModel.ts';
import { emptyNotebook, readNotebookFile } from '../core/notebook/readNotebook.ts';
import { parseCommandArgs, UsageError } from './usage.ts';
import { errorMessage } from '../shared/errorMessage.ts';

export const DIFF_USAGE = `  diff    Compare two notebooks cell by cell (exit 0: no differences, 1: differences, 2: error).
          labbook diff A.ipynb B.ipynb [options]
          --color=auto|always|never   colour the output (auto: when writing to a terminal)
          --json                      print the diff model as JSON instead of text
          --show-execution-counts     count execution-count changes as differences
          --show-volatile-metadata    count timing/view metadata (ExecuteTime, collapsed, …)
          --show-outputs              show output-only changes (hidden by default)
          --ignore-outputs            hide output-only changes (the default)
          --show-whitespace           count whitespace-only source changes
          --ignore-whitespace         ignore whitespace-only source changes (the default)
          -U N, --context N           unchanged source lines around a change (default 3)
          --git                       run as git's diff driver: takes git's 7 arguments
                                      (path old-file old-hex old-mode new-file new-hex new-mode)
`;

export interface DiffCommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}


export async function diffCommand(args: string[], io: DiffCommandIo): Promise<number> {
  try {
    return await runDiff(args, io);
  } catch (err) {
    const message = errorMessage(err);
    io.stderr.write(`labbook diff: ${message}\n`);
    if (err instanceof UsageError) io.stderr.write(`\n${DIFF_USAGE}`);
    return 2;
  }
}

async function runDiff(args: string[], io: DiffCommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    color: { type: 'string' },
    json: { type: 'boolean' },
    git: { type: 'boolean' },
    'show-execution-counts': { type: 'boolean' },
    'show-volatile-metadata': { type: 'boolean' },
    'show-outputs': { type: 'boolean' },
    'ignore-outputs': { type: 'boolean' },
    'show-whitespace': { type: 'boolean' },
    'ignore-whitespace': { type: 'boolean' },
    context: { type: 'string', short: 'U' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`Usage: labbook diff A.ipynb B.ipynb [options]\n\n${DIFF_USAGE}`);
    return 0;
  }
  const color = values.color ?? 'auto';
  if (color !== 'auto' && color !== 'always' && color !== 'never') throw new UsageError(`--color must be auto, always or never, got '${color}'`);
  if (values['show-outputs'] && values['ignore-outputs']) throw new UsageError('--show-outputs and --ignore-outputs contradict each other');
  if (values['show-whitespace'] && values['ignore-whitespace']) throw new UsageError('--show-whitespace and --ignore-whitespace contradict each other');
  let contextLines = DEFAULT_DIFF_OPTIONS.contextLines;
  if (values.context !== undefined) {
    contextLines = Number(values.context);
    if (!Number.isInteger(contextLines) || contextLines < 0) throw new UsageError(`--context must be a whole number, got '${values.context}'`);
  }
  const options: DiffOptions = {
    ignoreExecutionCounts: !values['show-execution-counts'],
    ignoreVolatileMetadata: !values['show-volatile-metadata'],
    ignoreOutputOnlyChanges: !values['show-outputs'],
    ignoreWhitespace: !values['show-whitespace'],
    contextLines,
  };

  const sides = values.git ? gitSides(positionals, io) : plainSides(positionals);
  if (!sides) return 0;
  const [base, remote] = await Promise.all([load(sides.base), load(sides.remote)]);
  const diff = diffNotebooks({ notebook: base, name: sides.base.name }, { notebook: remote, name: sides.remote.name }, options);
  if (values.json) io.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
  else io.stdout.write(renderText(diff, { color: useColor(color, io) }));
  if (values.git) return 0;
  return diff.stats.hasChanges ? 1 : 0;
}

interface Side {
  /** The file to read, or null for "no file" (git's /dev/null: an added or deleted notebook). */
  file: string | null;
  name: string;
}

function plainSides(positionals: string[]): { base: Side; remote: Side } {
  if (positionals.length !== 2) throw new UsageError(`expected two notebooks, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  const [base, remote] = positionals as [string, string];
  return { base: { file: base, name: base }, remote: { file: remote, name: remote } };
}

/**
 * git runs `GIT_EXTERNAL_DIFF path old-file old-hex old-mode new-file new-hex new-mode`, plus
 * `new-path` and a rename header for renames, or just `path` for an unmerged file.
 */
function gitSides(positionals: string[], io: DiffCommandIo): { base: Side; remote: Side } | undefined {
  if (positionals.length === 1) {
    io.stdout.write(`labbook diff: ${positionals[0]} is unmerged; resolve the conflict first.\n`);
    return undefined;
  }
  if (positionals.length !== 7 && positionals.length !== 9) {
    throw new UsageError(`--git expects the 7 arguments git passes to a diff driver (path old-file old-hex old-mode new-file new-hex new-mode), got ${positionals.length}`);
  }
  const [path, oldFile, , , newFile, , , newPath] = positionals;
  const side = (file: string | undefined, name: string): Side => ({ file: file === undefined || file === '/dev/null' ? null : file, name });
  return { base: side(oldFile, `a/${path}`), remote: side(newFile, `b/${newPath ?? path}`) };
}

async function load(side: Side): Promise<Notebook> {
  return side.file === null ? emptyNotebook() : readNotebookFile(side.file, side.name);
}

function useColor(choice: 'auto' | 'always' | 'never', io: DiffCommandIo): boolean {
  if (choice !== 'auto') return choice === 'always';
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true && io.env.TERM !== 'dumb';
}
