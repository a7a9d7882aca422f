// Stale marks: is the data a run trained on still what it read? A data node's file or folder is
// fingerprinted now (as Reproduce does: sha256 of a file or folder, the first and last 4 MB of a
// file that was above the hashing cap, the md5s of its `.dvc` file) and compared with the hash the
// run recorded. A model trained on data that has changed since is "trained on stale data": every
// run, logged model, model version and alias downstream of a stale or missing data node is marked.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { mapLimited } from '../../shared/mapLimited.ts';
import { HASH_CAP_BYTES, hashFileBounded } from '../data/hashReads.ts';
import { dvcOf, fingerprintData } from '../launch/fingerprintData.ts';
import { downstreamEnd, upstreamEnd } from '../../shared/lineageEdges.ts';
import type { DataNode, DataState, LineageGraph } from './types.ts';

export type { DataState } from './types.ts';

/** What a data node's check found: its state and, when not fresh, why. */
export interface DataCheck {
  readonly state: DataState;
  readonly note?: string;
}

/**
 * Checks already made, by data node id (a view keeps one until it reads the store again, so a
 * change of hops or an expansion does not hash every file again). Checks cut short are not kept.
 */
export type DataCheckCache = Map<string, Promise<DataCheck>>;

export interface StalenessOptions {
  /** Hashing stops past this time (the node is then 'unknown'). Default 60 s for a node or a whole graph. */
  readonly timeoutMs?: number;
  readonly cache?: DataCheckCache;
  /** The graph was superseded: nodes not yet checked are left 'unknown' (and not cached). */
  readonly signal?: AbortSignal;
}

/** Stale marks for a graph: the state of each data node, and every node downstream of a stale or missing one. */
export interface StaleMarks {
  /** By data node id. */
  readonly data: ReadonlyMap<string, DataState>;
  /** Runs, logged models, model versions and aliases downstream of a stale or missing data node. */
  readonly staleDownstream: ReadonlySet<string>;
  /** Why each data node that is not fresh is what it is, one line each. */
  readonly notes: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const PARALLEL = 4;

/** A check cut short (time ran out, or the graph was superseded): worth making again. */
const CUT_SHORT = Symbol('cut short');
type Checked = DataCheck & { readonly [CUT_SHORT]?: true };

/**
 * The sha256 a run would record for this file or folder as it is now, taken as the data observer
 * takes it: of the first and last 4 MB of a file above the hashing cap (then `partial`), of the
 * whole content otherwise. `whole` hashes a big file whole too, as a declared input is recorded.
 * Throws when it is not on disk.
 */
export async function currentDataHash(file: string, options: { readonly timeoutMs?: number; readonly whole?: boolean } = {}): Promise<{ readonly sha256?: string; readonly partial?: true; readonly fileCount?: number; readonly note?: string }> {
  const info = await stat(file);
  if (!options.whole && info.isFile() && info.size > HASH_CAP_BYTES) return { sha256: (await hashFileBounded(file, info.size, HASH_CAP_BYTES)).sha256, partial: true };
  const [entry] = (await fingerprintData([file], path.dirname(file), { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS })).entries;
  return { sha256: entry?.sha256, fileCount: entry?.fileCount, note: entry?.note };
}

/** Whether a data node's file or folder as it is now still has the fingerprint the run recorded. */
export async function dataNodeState(node: DataNode, options: StalenessOptions = {}): Promise<DataState> {
  return (await checkDataNode(node, Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS))).state;
}

export async function staleMarks(graph: LineageGraph, options: StalenessOptions = {}): Promise<StaleMarks> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const dataNodes = graph.nodes.filter((n): n is DataNode => n.kind === 'data');
  const checked = await mapLimited(dataNodes, PARALLEL, (node) => cachedCheck(node, deadline, options));
  const data = new Map<string, DataState>();
  const notes: string[] = [];
  const frontier: string[] = [];
  dataNodes.forEach((node, i) => {
    const { state, note } = checked[i] as DataCheck;
    data.set(node.id, state);
    if (note) notes.push(`data ${node.path || node.id}: ${note}`);
    if (state === 'stale' || state === 'missing') frontier.push(node.id);
  });
  const below = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const from = upstreamEnd(edge);
    below.set(from, [...(below.get(from) ?? []), downstreamEnd(edge)]);
  }
  // Each node is visited once, so the walk ends after at most one step per node.
  const staleDownstream = new Set<string>();
  while (frontier.length > 0) {
    for (const next of below.get(frontier.pop() as string) ?? []) {
      if (staleDownstream.has(next) || data.has(next)) continue;
      staleDownstream.add(next);
      frontier.push(next);
    }
  }
  return { data, staleDownstream, notes };
}

async function cachedCheck(node: DataNode, deadline: number, options: StalenessOptions): Promise<DataCheck> {
  if (options.signal?.aborted) return { state: 'unknown', note: 'not checked: the graph changed.' };
  const { cache } = options;
  const known = cache?.get(node.id);
  if (known) return known;
  const check = checkDataNode(node, deadline);
  if (cache) {
    cache.set(node.id, check);
    // A check cut short (or failed) is made again next time; the cache never holds a rejection.
    const forget = () => {
      if (cache.get(node.id) === check) cache.delete(node.id);
    };
    check.then((done) => (done[CUT_SHORT] ? forget() : undefined), forget);
  }
  return check;
}

async function checkDataNode(node: DataNode, deadline: number): Promise<Checked> {
  if (node.absolutePath === '') return { state: 'unknown', note: 'where it is on disk is not recorded.' };
  const full = node.absolutePath;
  const recordedMd5 = (node.dvcMd5 ?? []).join(',');
  const { part } = await dvcOf(full);
  const currentMd5 = (part.dvc?.outs ?? []).map((o) => o.md5).join(',');
  if (recordedMd5 !== '' && recordedMd5 !== currentMd5) return { state: 'stale', note: `the DVC md5 changed since the run (${recordedMd5} → ${currentMd5 || 'none'}).` };
  let info;
  try {
    info = await stat(full);
  } catch {
    // DVC-tracked data not checked out is still named by its unchanged md5s.
    if (recordedMd5 !== '') return { state: 'fresh' };
    return { state: 'missing', note: `${full} no longer exists.` };
  }
  if (node.sha256 === undefined) return recordedMd5 !== '' ? { state: 'fresh' } : { state: 'unknown', note: 'the run recorded no hash of it.' };
  const isDir = info.isDirectory();
  if (isDir !== (node.entryKind === 'dir')) return { state: 'stale', note: `it was a ${node.entryKind} and is now ${isDir ? 'a folder' : 'something else'}.` };
  if (Date.now() > deadline) return { state: 'unknown', note: 'not checked: the time for the check ran out.', [CUT_SHORT]: true };
  if (node.partial && info.size <= HASH_CAP_BYTES) return { state: 'stale', note: 'its size changed since the run.' };
  try {
    // Hashed as the run's record was: in part above the cap, or whole.
    const now = await currentDataHash(full, { timeoutMs: Math.max(1, deadline - Date.now()), whole: !node.partial });
    if (node.partial) {
      return now.sha256 === node.sha256 ? { state: 'fresh' } : { state: 'stale', note: 'its first or last 4 MB changed since the run (it was hashed only in part).' };
    }
    if (!now.sha256) return { state: 'unknown', note: `not checked: ${now.note ?? 'no hash could be taken'}.`, [CUT_SHORT]: true };
    // A folder the run read only some files of has a hash over those: comparable only when it still has as many.
    if (isDir && node.fileCount !== undefined && now.fileCount !== node.fileCount) {
      return { state: 'unknown', note: `the folder has ${now.fileCount ?? '?'} files and the run's hash covers ${node.fileCount}: not comparable.` };
    }
    return now.sha256 === node.sha256 ? { state: 'fresh' } : { state: 'stale', note: `its ${isDir ? 'folder contents' : 'contents'} changed since the run.` };
  } catch (err) {
    return { state: 'unknown', note: `not checked (${errorFirstLine(err)}).`, [CUT_SHORT]: true };
  }
}
