// Which Feast features a training script retrieves, read from its code with tree-sitter, only where
// the code says so unambiguously: every `<store>.get_historical_features(...)` call whose
// `features` (keyword, or the second positional argument) is
//   - `<store>.get_feature_service("name")`: a feature service;
//   - a list or tuple of plain strings `"view:feature"`: feature references;
//   - a name assigned exactly once in the file to one of those.
// Anything else (a computed list, an f-string, a name assigned twice) is counted as unresolved and
// left to the explicit tags (feastLineage.ts). `get_online_features` is serving, not training: not
// read. Pure: text in, names out.
import { plainString, type PythonParser, type SyntaxNode } from '../pipeline/pythonParser.ts';

export interface FeatureRetrievals {
  /** Feature services passed to get_historical_features, in the order of the code, each once. */
  readonly services: readonly string[];
  /** `view:feature` references passed as lists, each once. */
  readonly references: readonly string[];
  /** get_historical_features calls whose features could not be read from the code. */
  readonly unresolved: number;
}

const MAX_NODES = 200_000;

type Used = { readonly services: string[]; readonly references: string[] } | undefined;

/** The method name of a call `<x>.name(...)`, or undefined. */
function methodOf(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
}

/** What a `features` value names when it is a literal form: a service call or a list of references. */
function literalFeatures(value: SyntaxNode): Used {
  if (value.type === 'call' && methodOf(value) === 'get_feature_service') {
    const first = value.childForFieldName('arguments')?.namedChildren.find((a) => a !== null && a.type !== 'comment');
    const name = first?.type === 'keyword_argument' ? (first.childForFieldName('name')?.text === 'name' ? first.childForFieldName('value') : undefined) : first;
    const text = name ? plainString(name) : undefined;
    return text ? { services: [text], references: [] } : undefined;
  }
  if (value.type === 'list' || value.type === 'tuple') {
    const references: string[] = [];
    for (const item of value.namedChildren) {
      if (!item || item.type === 'comment') continue;
      const text = plainString(item);
      if (text === undefined || !/^[^:\s]+:[^:\s]+$/.test(text)) return undefined;
      references.push(text);
    }
    return references.length ? { services: [], references } : undefined;
  }
  return undefined;
}

/** The `features` argument of a get_historical_features call: `features=` or the second positional. */
function featuresArgument(call: SyntaxNode): SyntaxNode | undefined {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => a !== null && a.type !== 'comment') ?? [];
  for (const arg of args) {
    if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'features') return arg.childForFieldName('value') ?? undefined;
  }
  const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat');
  return positional[1];
}

/** The features a script or notebook's code retrieves for training. */
export function featureRetrievals(source: string, python: PythonParser): FeatureRetrievals {
  const tree = python.parse(source);
  try {
    const calls: SyntaxNode[] = [];
    // Every `name = value` in the file, by name: a name assigned once may stand for its value.
    const assigned = new Map<string, SyntaxNode[]>();
    const stack: SyntaxNode[] = [tree.rootNode];
    for (let seen = 0; stack.length > 0 && seen < MAX_NODES; seen++) {
      const node = stack.pop();
      if (!node) break;
      if (node.type === 'call' && methodOf(node) === 'get_historical_features') calls.push(node);
      if (node.type === 'assignment' || node.type === 'augmented_assignment') {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left?.type === 'identifier' && right) assigned.set(left.text, [...(assigned.get(left.text) ?? []), node.type === 'assignment' ? right : node]);
      }
      for (let i = node.namedChildCount - 1; i >= 0; i--) {
        const child = node.namedChild(i);
        if (child) stack.push(child);
      }
    }
    const services: string[] = [];
    const references: string[] = [];
    let unresolved = 0;
    for (const call of calls.sort((a, b) => a.startIndex - b.startIndex)) {
      const value = featuresArgument(call);
      let used = value ? literalFeatures(value) : undefined;
      if (!used && value?.type === 'identifier') {
        const values = assigned.get(value.text) ?? [];
        const only = values.length === 1 ? values[0] : undefined;
        used = only && only.type !== 'augmented_assignment' ? literalFeatures(only) : undefined;
      }
      if (!used) {
        unresolved++;
        continue;
      }
      for (const s of used.services) if (!services.includes(s)) services.push(s);
      for (const r of used.references) if (!references.includes(r)) references.push(r);
    }
    return { services, references, unresolved };
  } finally {
    tree.delete();
  }
}

/**
 * The Python of a notebook's code cells, for featureRetrievals: each cell's source on its own
 * lines, IPython magics and shell lines (`%`, `!`) blanked so the rest parses.
 */
export function notebookPython(cells: readonly { readonly cell_type: string; readonly source: string | readonly string[] }[]): string {
  return cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => (typeof c.source === 'string' ? c.source : c.source.join('')).split('\n').map((line) => (/^\s*[%!]/.test(line) ? '' : line)).join('\n'))
    .join('\n\n');
}
