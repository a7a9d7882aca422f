// Where a value sits in a parsed YAML document, by its path of keys and indexes: the one lookup the
// checks file and the sweep files use to put a problem on the line it comes from.
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';

export type YamlSegment = string | number;

/** The pair holding `path`'s value (when it is a map entry) and the value's node; {} when the path is not there. */
export function findPath(doc: Document, path: readonly YamlSegment[]): { pair?: Pair<unknown, unknown>; node?: Node } {
  let node: unknown = doc.contents;
  let pair: Pair<unknown, unknown> | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      node = pair?.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      pair = undefined;
      node = node.items[seg];
    } else return {};
    if (node === undefined && pair === undefined) return {};
  }
  return { ...(pair ? { pair } : {}), ...(node && typeof node === 'object' && 'range' in node ? { node: node as Node } : {}) };
}
