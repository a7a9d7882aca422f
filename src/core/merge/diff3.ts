// Line-level three-way merge: the classic diff3 (Khanna, Kunal & Pierce, "A formal investigation
// of diff3"). Lines matched in both base↔local and base↔remote are stable; between two stable runs
// lies a chunk that one side changed (take it), both changed alike (take it once), or both changed
// differently (a conflict). Conflicts are then trimmed of the lines both sides agree on at their
// ends, as git's "zealous" merge does, so a conflict shows only what really differs.
//
// Our own rather than the npm `node-diff3`: it reuses the Myers LCS of ../diff/myers.ts (which drops
// lines unique to one side first and bounds pathological inputs, so it stays near-linear on
// notebook-sized texts), gives the per-chunk origin the merge needs for its "deleted lines"
// record, and adds no dependency. The algorithm is the textbook one in ~80 lines.
import { commonSubsequence, Interner } from '../diff/myers.ts';
import type { SourceRegion } from './model.ts';

export type ChunkKind = 'stable' | 'local' | 'remote' | 'same' | 'conflict';

/** A run of lines: stable (all three equal), taken from one side, changed alike, or conflicting. */
export interface Chunk {
  kind: ChunkKind;
  base: string[];
  local: string[];
  remote: string[];
}

export function diff3Chunks(base: string[], local: string[], remote: string[]): Chunk[] {
  const interner = new Interner();
  const keys = (lines: string[]) => Int32Array.from(lines, (line) => interner.id(line));
  const b = keys(base);
  const l = keys(local);
  const r = keys(remote);
  const mapL = matchMap(b, l);
  const mapR = matchMap(b, r);
  const chunks: Chunk[] = [];
  const n = b.length;
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < n || j < l.length || k < r.length) {
    if (i < n && mapL[i] === j && mapR[i] === k) {
      const start = i;
      while (i < n && mapL[i] === j && mapR[i] === k) {
        i++;
        j++;
        k++;
      }
      const lines = base.slice(start, i);
      chunks.push({ kind: 'stable', base: lines, local: lines, remote: lines });
      continue;
    }
    // The next base line matched on both sides closes the unstable chunk.
    let e = i;
    while (e < n && ((mapL[e] as number) < 0 || (mapR[e] as number) < 0)) e++;
    const je = e < n ? (mapL[e] as number) : l.length;
    const ke = e < n ? (mapR[e] as number) : r.length;
    chunks.push(...classify(b.subarray(i, e), l.subarray(j, je), r.subarray(k, ke), base.slice(i, e), local.slice(j, je), remote.slice(k, ke)));
    i = e;
    j = je;
    k = ke;
  }
  return chunks;
}

/** The merge as regions: agreed lines (adjacent ones joined) and conflicts. */
export function diff3Lines(base: string[], local: string[], remote: string[]): SourceRegion[] {
  return regionsOf(diff3Chunks(base, local, remote));
}

export function regionsOf(chunks: Chunk[]): SourceRegion[] {
  const regions: SourceRegion[] = [];
  for (const chunk of chunks) {
    if (chunk.kind === 'conflict') {
      regions.push({ conflict: { base: chunk.base, local: chunk.local, remote: chunk.remote } });
      continue;
    }
    const lines = chunk.kind === 'remote' ? chunk.remote : chunk.local;
    if (!lines.length) continue;
    const last = regions.at(-1);
    if (last && 'ok' in last) last.ok.push(...lines);
    else regions.push({ ok: [...lines] });
  }
  return regions;
}

/** For each base index, the matched index on the other side, or -1. */
function matchMap(base: Int32Array, other: Int32Array): Int32Array {
  const map = new Int32Array(base.length).fill(-1);
  for (const [i, j] of commonSubsequence(base, other)) map[i] = j;
  return map;
}

function sameKeys(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let x = 0; x < a.length; x++) if (a[x] !== b[x]) return false;
  return true;
}

function classify(bk: Int32Array, lk: Int32Array, rk: Int32Array, base: string[], local: string[], remote: string[]): Chunk[] {
  if (sameKeys(bk, lk)) return [{ kind: 'remote', base, local, remote }];
  if (sameKeys(bk, rk)) return [{ kind: 'local', base, local, remote }];
  if (sameKeys(lk, rk)) return [{ kind: 'same', base, local, remote }];
  // Zealous trimming: lines both sides agree on at the ends leave the conflict (the base lines stay
  // in it whole: which of them each side kept is what the conflict is about).
  let pre = 0;
  while (pre < lk.length && pre < rk.length && lk[pre] === rk[pre]) pre++;
  let post = 0;
  while (post < lk.length - pre && post < rk.length - pre && lk[lk.length - 1 - post] === rk[rk.length - 1 - post]) post++;
  const out: Chunk[] = [];
  if (pre) out.push({ kind: 'same', base: [], local: local.slice(0, pre), remote: remote.slice(0, pre) });
  out.push({ kind: 'conflict', base, local: local.slice(pre, local.length - post), remote: remote.slice(pre, remote.length - post) });
  if (post) out.push({ kind: 'same', base: [], local: local.slice(local.length - post), remote: remote.slice(remote.length - post) });
  return out;
}
