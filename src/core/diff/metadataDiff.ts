// Key-level diffs of JSON metadata, and the volatile-key filter applied before them.
import type { JsonObject, JsonValue } from '../notebook/notebookModel.ts';
import { isJsonObject, jsonEqual } from './json.ts';
import type { KeyChange } from './model.ts';

/**
 * A copy of `metadata` without the given key paths. A parent object that only held a dropped key
 * is dropped too, so `{jupyter: {outputs_hidden: true}}` and `{}` compare equal.
 */
export function withoutKeys(metadata: JsonObject, paths: readonly (readonly string[])[]): JsonObject {
  let result = metadata;
  for (const path of paths) result = dropPath(result, path, 0);
  return result;
}

function dropPath(obj: JsonObject, path: readonly string[], depth: number): JsonObject {
  const key = path[depth] as string;
  if (!Object.hasOwn(obj, key)) return obj;
  const copy = { ...obj };
  if (depth === path.length - 1) {
    delete copy[key];
    return copy;
  }
  const child = obj[key];
  if (!isJsonObject(child)) return obj;
  const pruned = dropPath(child, path, depth + 1);
  if (pruned === child) return obj;
  if (Object.keys(pruned).length === 0) delete copy[key];
  else copy[key] = pruned;
  return copy;
}

/** Changes from `base` to `remote`, walking into objects present on both sides; arrays compare whole. */
export function diffKeys(base: JsonObject, remote: JsonObject, prefix: string[] = []): KeyChange[] {
  const changes: KeyChange[] = [];
  for (const key of Object.keys(base)) {
    const path = [...prefix, key];
    const before = base[key] as JsonValue;
    if (!Object.hasOwn(remote, key)) {
      changes.push({ op: 'removed', path, base: before });
      continue;
    }
    const after = remote[key] as JsonValue;
    if (isJsonObject(before) && isJsonObject(after)) changes.push(...diffKeys(before, after, path));
    else if (!jsonEqual(before, after)) changes.push({ op: 'changed', path, base: before, remote: after });
  }
  for (const key of Object.keys(remote)) {
    if (!Object.hasOwn(base, key)) changes.push({ op: 'added', path: [...prefix, key], remote: remote[key] });
  }
  return changes;
}
