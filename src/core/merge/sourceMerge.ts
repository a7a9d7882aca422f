// One cell's source, merged three ways by line (diff3.ts), keeping the text's final newline as the
// sides left it (notebook sources usually have none) and recording the base lines a side removed
// while the other left them alone: the merge's "deleted lines" record.
import { splitLines } from '../diff/textDiff.ts';
import { diff3Chunks, regionsOf } from './diff3.ts';
import type { MergeSide, SourceRegion } from './model.ts';

export interface SourceMerge {
  /** The merged text; with conflicts, the "ours" version (local's side of each conflict). */
  text: string;
  /** The "theirs" version: remote's side of each conflict (equal to `text` without conflicts). */
  textRemote: string;
  /** Present when the sides conflict: the diff3 regions. */
  regions?: SourceRegion[];
  deleted: Array<{ by: MergeSide; lines: string[] }>;
}

export function mergeSource(base: string, local: string, remote: string): SourceMerge {
  // Both alike (what they dropped, they agreed to drop), or one side's edit whole.
  if (local === remote) return { text: local, textRemote: local, deleted: [] };
  if (base === remote) return { text: local, textRemote: local, deleted: removedLines(base, local, 'local') };
  if (base === local) return { text: remote, textRemote: remote, deleted: removedLines(base, remote, 'remote') };
  const chunks = diff3Chunks(splitLines(base), splitLines(local), splitLines(remote));
  const ours: string[] = [];
  const theirs: string[] = [];
  const deletedBy = { local: [] as string[], remote: [] as string[] };
  let conflict = false;
  for (const chunk of chunks) {
    switch (chunk.kind) {
      case 'stable':
      case 'same':
        ours.push(...chunk.local);
        theirs.push(...chunk.local);
        break;
      case 'local':
        ours.push(...chunk.local);
        theirs.push(...chunk.local);
        deletedBy.local.push(...missing(chunk.base, chunk.local));
        break;
      case 'remote':
        ours.push(...chunk.remote);
        theirs.push(...chunk.remote);
        deletedBy.remote.push(...missing(chunk.base, chunk.remote));
        break;
      case 'conflict':
        conflict = true;
        ours.push(...chunk.local);
        theirs.push(...chunk.remote);
        break;
    }
  }
  // The final newline merges like one more line: a side that changed it wins.
  const newline = local.endsWith('\n') === base.endsWith('\n') ? remote.endsWith('\n') : local.endsWith('\n');
  const join = (lines: string[]) => (lines.length ? lines.join('\n') + (newline ? '\n' : '') : '');
  const deleted: SourceMerge['deleted'] = [];
  if (deletedBy.local.length) deleted.push({ by: 'local', lines: deletedBy.local });
  if (deletedBy.remote.length) deleted.push({ by: 'remote', lines: deletedBy.remote });
  const text = join(ours);
  return conflict ? { text, textRemote: join(theirs), regions: regionsOf(chunks), deleted } : { text, textRemote: text, deleted };
}

/** Base lines one side's edit removed (as a multiset: a line kept once of twice is one removed). */
function removedLines(base: string, side: string, by: MergeSide): SourceMerge['deleted'] {
  const lines = missing(splitLines(base), splitLines(side));
  return lines.length ? [{ by, lines }] : [];
}

function missing(base: string[], kept: string[]): string[] {
  if (!base.length) return [];
  const count = new Map<string, number>();
  for (const line of kept) count.set(line, (count.get(line) ?? 0) + 1);
  const out: string[] = [];
  for (const line of base) {
    const n = count.get(line) ?? 0;
    if (n > 0) count.set(line, n - 1);
    else out.push(line);
  }
  return out;
}
