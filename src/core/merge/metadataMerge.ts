// Key-by-key three-way merge of JSON objects (cell metadata, attachments, notebook metadata).
// Objects are walked as the diff's diffKeys walks them, so two sides changing different keys of
// `jupyter` both land; arrays and scalars merge whole. A key both sides changed differently is a
// KeyConflict holding local's value in the result, unless it is volatile (run-time noise) and the
// options say to take local's value on their own.
import { isJsonObject, jsonEqual } from '../diff/json.ts';
import type { JsonObject, JsonValue } from '../notebook/notebookModel.ts';
import type { KeyConflict } from './model.ts';

export interface KeyMerge {
  /** The result, conflicting keys holding local's value (absent when local deleted the key). */
  merged: JsonObject;
  /** The same with remote's value on conflicting keys: the "theirs" version of a conflicted cell. */
  mergedRemote: JsonObject;
  conflicts: KeyConflict[];
  /** Volatile keys both sides changed differently, resolved to local's value. */
  autoVolatile: string[][];
}

export interface KeyMergeOptions {
  volatile: readonly (readonly string[])[];
  autoResolveVolatile: boolean;
}

export function mergeKeys(base: JsonObject, local: JsonObject, remote: JsonObject, options: KeyMergeOptions): KeyMerge {
  const out: KeyMerge = { merged: local, mergedRemote: local, conflicts: [], autoVolatile: [] };
  if (jsonEqual(local, remote) || jsonEqual(base, remote)) return out;
  if (jsonEqual(base, local)) return { ...out, merged: remote, mergedRemote: remote };
  const [merged, mergedRemote] = walk(base, local, remote, [], options, out);
  return { ...out, merged, mergedRemote };
}

function walk(base: JsonObject, local: JsonObject, remote: JsonObject, prefix: string[], options: KeyMergeOptions, out: KeyMerge): [JsonObject, JsonObject] {
  const merged: JsonObject = {};
  const mergedRemote: JsonObject = {};
  const keys = new Set([...Object.keys(base), ...Object.keys(local), ...Object.keys(remote)]);
  for (const key of keys) {
    const b = Object.hasOwn(base, key) ? base[key] : undefined;
    const l = Object.hasOwn(local, key) ? local[key] : undefined;
    const r = Object.hasOwn(remote, key) ? remote[key] : undefined;
    const set = (ours: JsonValue | undefined, theirs: JsonValue | undefined) => {
      if (ours !== undefined) merged[key] = ours;
      if (theirs !== undefined) mergedRemote[key] = theirs;
    };
    if (jsonEqual(l, r) || jsonEqual(b, r)) set(l, l);
    else if (jsonEqual(b, l)) set(r, r);
    else if (isJsonObject(l) && isJsonObject(r) && (b === undefined || isJsonObject(b))) {
      const [ours, theirs] = walk(b ?? {}, l, r, [...prefix, key], options, out);
      set(ours, theirs);
    } else {
      const path = [...prefix, key];
      if (options.autoResolveVolatile && isVolatile(path, options.volatile)) {
        out.autoVolatile.push(path);
        set(l, l);
      } else {
        const conflict: KeyConflict = { path };
        if (b !== undefined) conflict.base = b;
        if (l !== undefined) conflict.local = l;
        if (r !== undefined) conflict.remote = r;
        out.conflicts.push(conflict);
        set(l, r);
      }
    }
  }
  return [merged, mergedRemote];
}

/** A path at or under one of the volatile paths. */
function isVolatile(path: string[], volatile: readonly (readonly string[])[]): boolean {
  return volatile.some((v) => v.length <= path.length && v.every((part, index) => path[index] === part));
}
