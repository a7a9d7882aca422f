// `labbook merge BASE LOCAL REMOTE -o OUT`: the three-way notebook merge, and git's merge driver
// (`--git %O %A %B %P`, which writes the result into %A). Exit 0: all merged; 1: conflicts left,
// written as a valid notebook with both versions between banners (conflictNotebook.ts); 2: bad
// input, and then nothing is written, so under git %A keeps what it had and git reports a conflict.
import { readFile, stat } from 'node:fs/promises';
import { writeAtomically } from '../core/fs/writeAtomically.ts';
import { conflictNotebook } from '../core/merge/conflictNotebook.ts';
import { mergeNotebooks } from '../core/merge/mergeNotebooks.ts';
import { OUTPUT_POLICIES, type MergeOptions, type NotebookMerge, type OutputPolicy } from '../core/merge/model.ts';
import { applyResolutions, NO_RESOLUTIONS } from '../core/merge/resolve.ts';
import type { Notebook } from '../core/notebook/notebookModel.ts';
import { NotebookFormatError } from '../core/notebook/notebookErrors.ts';
import { emptyNotebook, MAX_NOTEBOOK_BYTES, parseNotebook } from '../core/notebook/readNotebook.ts';
import { detectIndent, serializeNotebook } from '../core/notebook/writeNotebook.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const MERGE_USAGE = `  merge   Merge two notebooks that changed the same base, cell by cell (exit 0: merged,
          1: conflicts left in the written notebook, 2: error).
          labbook merge BASE.ipynb LOCAL.ipynb REMOTE.ipynb [-o OUT.ipynb] [options]
          -o, --output FILE             where to write the result (may be LOCAL; default: stdout)
          --outputs clear|local|remote|both
                                        outputs both sides changed differently (default: clear)
          --no-auto-execution-counts    execution counts both sides changed are a conflict
                                        (default: cleared)
          --no-auto-volatile-metadata   timing/view metadata both sides changed is a conflict
                                        (default: local's value)
          --json                        print the merge model as JSON
          --git                         run as git's merge driver: takes %O %A %B %P and writes
                                        the result into %A
`;

export interface MergeCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const OPEN_HINT = 'open it in VS Code: Labbook: Open Notebook Merge';

export async function mergeCommand(args: string[], io: MergeCommandIo): Promise<number> {
  try {
    return await runMerge(args, io);
  } catch (err) {
    io.stderr.write(`labbook merge: ${errorMessage(err)}\n`);
    if (err instanceof UsageError) io.stderr.write(`\n${MERGE_USAGE}`);
    return 2;
  }
}

interface Sides {
  base: { file: string; name: string };
  local: { file: string; name: string };
  remote: { file: string; name: string };
  /** Where the result goes (null: stdout), and what the summary calls it. */
  out: string | null;
  label: string;
}

async function runMerge(args: string[], io: MergeCommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    output: { type: 'string', short: 'o' },
    outputs: { type: 'string' },
    'no-auto-execution-counts': { type: 'boolean' },
    'no-auto-volatile-metadata': { type: 'boolean' },
    json: { type: 'boolean' },
    git: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`Usage: labbook merge BASE LOCAL REMOTE [-o OUT] [options]\n       labbook merge --git -- %O %A %B %P\n\n${MERGE_USAGE}`);
    return 0;
  }
  if (values.outputs !== undefined && !OUTPUT_POLICIES.includes(values.outputs as OutputPolicy)) {
    throw new UsageError(`--outputs must be clear, local, remote or both, got '${values.outputs}'`);
  }
  const options: Partial<MergeOptions> = {
    autoResolveExecutionCounts: !values['no-auto-execution-counts'],
    autoResolveVolatileMetadata: !values['no-auto-volatile-metadata'],
    ...(values.outputs !== undefined ? { outputs: values.outputs as OutputPolicy } : {}),
  };
  const sides = values.git ? gitSides(positionals, values.output) : plainSides(positionals, values.output);

  // Everything is read and merged before anything is written: bad input leaves every file as it was.
  const [base, local, remote] = await Promise.all([readText(sides.base), readText(sides.local), readText(sides.remote)]);
  const merge = mergeNotebooks(
    // An empty base is git's %O for a file both sides added: nothing in common.
    { notebook: base.trim() === '' ? emptyNotebook() : parseNotebook(base, sides.base.name), name: sides.base.name },
    { notebook: parseNotebook(local, sides.local.name), name: sides.local.name },
    { notebook: parseNotebook(remote, sides.remote.name), name: sides.remote.name },
    options,
  );
  const conflicts = merge.stats.conflicts;
  const result: Notebook = conflicts > 0 ? conflictNotebook(merge) : applyResolutions(merge, NO_RESOLUTIONS);
  const text = withLineEndings(serialize(result, detectIndent(local)), local);

  if (values.json) io.stdout.write(`${JSON.stringify(merge, null, 2)}\n`);
  if (sides.out !== null) await writeAtomically(sides.out, text);
  else if (!values.json) io.stdout.write(text);
  io.stderr.write(`labbook merge: ${summary(sides.label, merge)}\n`);
  return conflicts > 0 ? 1 : 0;
}

function plainSides(positionals: string[], output: string | undefined): Sides {
  if (positionals.length !== 3) {
    throw new UsageError(`expected three notebooks (BASE LOCAL REMOTE), got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  }
  const [base, local, remote] = positionals as [string, string, string];
  return {
    base: { file: base, name: base },
    local: { file: local, name: local },
    remote: { file: remote, name: remote },
    out: output ?? null,
    label: output ?? 'stdout',
  };
}

/** git runs the driver with %O (base), %A (ours, and where the result goes), %B (theirs) and %P (the path). */
function gitSides(positionals: string[], output: string | undefined): Sides {
  if (positionals.length !== 3 && positionals.length !== 4) {
    throw new UsageError(`--git expects the arguments git passes to a merge driver (%O %A %B %P), got ${positionals.length}`);
  }
  if (output !== undefined) throw new UsageError('--git writes the result into %A; -o does not apply');
  const [base, local, remote, gitPath] = positionals as [string, string, string, string | undefined];
  const shown = gitPath ?? local;
  return {
    base: { file: base, name: `${shown} (base)` },
    local: { file: local, name: `${shown} (ours)` },
    remote: { file: remote, name: `${shown} (theirs)` },
    out: local,
    label: shown,
  };
}

async function readText(side: { file: string; name: string }): Promise<string> {
  try {
    const size = (await stat(side.file)).size;
    if (size > MAX_NOTEBOOK_BYTES) throw new NotebookFormatError('tooLarge', side.name, `${side.name} is larger than Labbook reads (${Math.round(MAX_NOTEBOOK_BYTES / 1048576)} MB).`);
    const bytes = await readFile(side.file);
    try {
      // Strict: a byte that is not UTF-8 is bad input, never quietly replaced (and then merged) as U+FFFD.
      return STRICT_UTF8.decode(bytes);
    } catch {
      throw new NotebookFormatError('invalidJson', side.name, `${side.name} is not UTF-8 text (a notebook file is UTF-8 JSON).`);
    }
  } catch (err) {
    if (err instanceof NotebookFormatError) throw err;
    throw new NotebookFormatError('unreadable', side.name, `${side.name}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function serialize(result: Notebook, indent: number): string {
  try {
    return serializeNotebook(result, { indent });
  } catch (err) {
    // V8's limit on one string (about 512 MB): say what it means rather than "Invalid string length".
    if (err instanceof RangeError) throw new Error('the merged notebook is too large to write as one file; nothing was written.', { cause: err });
    throw err;
  }
}

/**
 * The result keeps LOCAL's line endings: a notebook saved with CRLF stays CRLF, so the merge does
 * not show every line as changed. Only the JSON's own line breaks are concerned; a newline inside
 * a string is written escaped (\n), so replacing raw ones touches no content.
 */
function withLineEndings(text: string, local: string): string {
  const firstBreak = local.indexOf('\n');
  return firstBreak > 0 && local[firstBreak - 1] === '\r' ? text.replace(/\n/g, '\r\n') : text;
}

function summary(label: string, merge: NotebookMerge): string {
  const s = merge.stats;
  const changes = s.fromLocal + s.fromRemote + s.combined + s.deleted;
  const merged = `${changes} change${changes === 1 ? '' : 's'} merged`;
  if (s.conflicts === 0) return `${label} — ${merged}, no conflicts`;
  return `${label} — ${merged}, ${s.conflicts} conflict${s.conflicts === 1 ? '' : 's'} left (${OPEN_HINT})`;
}
