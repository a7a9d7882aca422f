// Computes the merge a panel shows from its source. For a conflicted file: the working file when it
// holds Labbook's conflict notebook (the driver's output, with whatever the user edited in it since
// and the driver's flags), else git's three stages when git has the path unmerged (the file holds
// git's raw markers, or no Labbook markers), else nothing. Or three files the user picked. No vscode
// import: the panel, the commands, Mark as Resolved and the interop tests share it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readConflictStages } from '../../core/git/conflictStages.ts';
import { readConflictNotebook } from '../../core/merge/conflictNotebook.ts';
import { mergeNotebooks, resolveMergeOptions } from '../../core/merge/mergeNotebooks.ts';
import type { MergeOptions, NotebookMerge } from '../../core/merge/model.ts';
import type { Notebook } from '../../core/notebook/notebookModel.ts';
import { emptyNotebook, parseNotebook } from '../../core/notebook/readNotebook.ts';
import { detectIndent } from '../../core/notebook/writeNotebook.ts';
import type { MergeOrigin, MergeSource } from '../../protocol/notebookMerge.ts';

/** A source with nothing to merge: said to the user as is. */
export class NothingToMergeError extends Error {
  override readonly name = 'NothingToMergeError';
}

export interface LoadedMerge {
  readonly merge: NotebookMerge;
  readonly origin: MergeOrigin;
  readonly title: string;
  /** Where the merge came from, in words for the panel's subtitle. */
  readonly from: string;
  /** The file "Mark as Resolved" writes. */
  readonly output: string;
  /** The JSON indent the result is written with (the local side's). */
  readonly indent: number;
  /** Whether git had the output unmerged when it was loaded (Mark as Resolved then stages it). */
  readonly unmerged: boolean;
  /** A hash of what the merge was computed from (file text or stage blobs and the working file's text, and the options used): Mark as Resolved writes only if it is unchanged. */
  readonly fingerprint: string;
  /** The output file's text when loaded (undefined: missing): checked again just before writing. */
  readonly text: string | undefined;
  /** Git has it unmerged, yet the working file is a notebook with no conflict markers that is not git's "ours": resolved by hand, so Mark as Resolved does not overwrite it. */
  readonly handResolved: boolean;
  /** Git was not asked (Restricted Mode): nothing is staged. */
  readonly withoutGit: boolean;
}

/** Whether the merge may run git (which runs commands a repository configures): false in an untrusted workspace. */
export interface GitAccess {
  readonly git: boolean;
}

/** Git's raw conflict markers: what git leaves in a notebook it merged as text. */
const GIT_MARKERS = /^(<{7}|>{7}) /m;

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** The text of `file`, or undefined when it does not exist. */
async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The conflicts a file records (Labbook's markers), or undefined: no file, git's raw markers, not a notebook, no markers. */
function recordedMerge(text: string | undefined, name: string): NotebookMerge | undefined {
  if (text === undefined || GIT_MARKERS.test(text)) return undefined;
  let notebook: Notebook;
  try {
    notebook = parseNotebook(text, name);
  } catch {
    return undefined;
  }
  return readConflictNotebook(notebook, name);
}

/** Whether `text` parses as a notebook. */
function isNotebook(text: string, name: string): boolean {
  try {
    parseNotebook(text, name);
    return true;
  } catch {
    return false;
  }
}

/** The merge of `source` under `options` (throws NothingToMergeError or a reading error, with a message for the user). */
export async function loadMerge(source: MergeSource, options: Partial<MergeOptions>, access: GitAccess = { git: true }): Promise<LoadedMerge> {
  if (source.kind === 'files') {
    const [base, local, remote] = (await Promise.all([source.base, source.local, source.remote].map((f) => readFile(f, 'utf8')))) as [string, string, string];
    const merge = mergeNotebooks(
      { notebook: parseNotebook(base, source.base), name: source.base },
      { notebook: parseNotebook(local, source.local), name: source.local },
      { notebook: parseNotebook(remote, source.remote), name: source.remote },
      options,
    );
    return {
      merge,
      origin: 'files',
      title: `${path.basename(source.output)} (${path.basename(source.local)} ↔ ${path.basename(source.remote)})`,
      from: 'from three files',
      output: source.output,
      indent: detectIndent(local),
      unmerged: false,
      fingerprint: hash(['files', base, local, remote, resolveMergeOptions(options)]),
      text: await readIfThere(source.output),
      handResolved: false,
      withoutGit: false,
    };
  }
  const file = source.file;
  const name = path.basename(file);
  const [stages, text] = await Promise.all([access.git ? readConflictStages(file) : undefined, readIfThere(file)]);
  // The driver's conflict notebook is the truth while it is there: it holds the user's hand edits
  // (conflicts resolved in Jupyter, edits to clean cells) and the outputs the driver's flags chose.
  const recorded = recordedMerge(text, name);
  if (recorded && text !== undefined) {
    const unmerged = stages !== undefined;
    return {
      merge: recorded,
      origin: 'markers',
      title: `${name} (recorded conflicts)`,
      from: unmerged
        ? 'from the conflicts Labbook’s merge driver recorded in the file, with any edits made to it since (git has it unmerged)'
        : 'from the conflicts Labbook’s merge driver recorded in the file',
      output: file,
      indent: detectIndent(text),
      unmerged,
      fingerprint: hash(['markers', unmerged, text]),
      text,
      handResolved: false,
      withoutGit: !access.git,
    };
  }
  if (!access.git) {
    throw new NothingToMergeError(
      `${name} holds no conflicts recorded by Labbook's merge driver, and Labbook does not run git in Restricted Mode (git runs commands a repository configures), so it cannot read git's merge stages. Trust the workspace, or pick the three versions with "Merge Notebooks…".`,
    );
  }
  if (stages) {
    if (stages.local === undefined || stages.remote === undefined) {
      const gone = stages.local === undefined ? 'your side (ours)' : 'their side (theirs)';
      throw new NothingToMergeError(`${name} was deleted on ${gone} of the merge: there are no two notebooks to merge cell by cell. Keep or delete the file with git (git add or git rm).`);
    }
    const merge = mergeNotebooks(
      { notebook: stages.base === undefined ? emptyNotebook() : parseNotebook(stages.base, `${name} (base)`), name: `${name} (base)` },
      { notebook: parseNotebook(stages.local, `${name} (ours)`), name: `${name} (ours)` },
      { notebook: parseNotebook(stages.remote, `${name} (theirs)`), name: `${name} (theirs)` },
      options,
    );
    const handResolved = text !== undefined && !GIT_MARKERS.test(text) && text !== stages.local && isNotebook(text, name);
    const why =
      text === undefined
        ? 'the file is missing'
        : GIT_MARKERS.test(text)
          ? 'the file holds git’s raw conflict markers'
          : handResolved
            ? 'the file holds no conflict markers and differs from your side: it looks resolved by hand, so Mark as Resolved will not overwrite it'
            : 'the file holds no Labbook conflict markers';
    return {
      merge,
      origin: 'git',
      title: `${name} (ours ↔ theirs)`,
      from: `from git’s merge stages (${why})`,
      output: file,
      indent: detectIndent(stages.local),
      unmerged: true,
      // The working file too: a hand edit made after loading makes the merge stale.
      fingerprint: hash(['git', stages.base ?? null, stages.local, stages.remote, text ?? null, resolveMergeOptions(options)]),
      text,
      handResolved,
      withoutGit: false,
    };
  }
  if (text === undefined) throw new NothingToMergeError(`${name} does not exist any more (deleted or moved): there is nothing to merge.`);
  if (GIT_MARKERS.test(text)) {
    // Git's markers in a file git no longer has unmerged: the stages are gone (e.g. it was staged as is).
    throw new NothingToMergeError(`${name} holds git's conflict markers but git no longer has its merge stages (was it staged?). Run \`git checkout -m -- ${name}\` to recreate the conflict, then open the merge again.`);
  }
  parseNotebook(text, file); // a file that is not a notebook says so
  throw new NothingToMergeError(`${name} has no merge conflicts: git does not have it unmerged, and it holds no conflicts recorded by Labbook's merge driver.`);
}

/**
 * A key for what a merge's conflicts are, content included (each conflicted cell's versions and
 * details, the metadata conflicts' values), so resolutions and drafts kept for another merge of the
 * same file are never applied to this one. What the merge settings decide (the merged cell's
 * outputs under the outputs policy) is left out: changing a setting keeps the user's resolutions
 * while the conflicts themselves are the same.
 */
export function conflictSignature(merge: NotebookMerge): string {
  const cells = merge.cells.flatMap((c, i) => (c.conflicts.length ? [[i, c.base, c.local, c.remote, c.conflicts.map((k) => ('policy' in k ? { ...k, policy: undefined } : k)), c.versions ?? null]] : []));
  return hash([merge.cells.length, cells, merge.metadata.conflicts]);
}
