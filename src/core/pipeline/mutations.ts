// Which variable a statement changes in place without assigning it: `df["a"] = …`, `rows.append(x)`,
// `model.fit(X, y)`, `df.drop(columns=c, inplace=True)`, `random.shuffle(items)`. The dataflow
// counts such a mutation as a use plus a redefinition.
import type { SyntaxNode } from './pythonParser.ts';

/** Methods of lists, dicts, sets and scikit-learn estimators that change their receiver. */
const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'append', 'extend', 'insert', 'remove', 'pop', 'clear', 'update', 'sort', 'reverse', 'add', 'discard',
  'setdefault', 'popitem', 'fit', 'partial_fit', 'fit_transform', 'set_params',
]);

/** The base variable an expression like `df["a"].b` or `obj.attr[0]` mutates: `df`, `obj`. */
export function baseName(node: SyntaxNode | null): string | undefined {
  let current = node;
  for (let depth = 0; current && depth < 100; depth++) {
    switch (current.type) {
      case 'identifier':
        return current.text;
      case 'attribute':
        current = current.childForFieldName('object');
        break;
      case 'subscript':
        current = current.childForFieldName('value');
        break;
      case 'parenthesized_expression':
        current = current.namedChild(0);
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

/** The variable a method call changes in place, if it looks like one that does. */
export function mutatedByCall(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (fn?.type !== 'attribute') return undefined;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  const inplace = args?.namedChildren.some((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'inplace' && a.childForFieldName('value')?.type === 'true') ?? false;
  if (method === 'shuffle') {
    // random.shuffle(x), np.random.shuffle(x), rng.shuffle(x) reorder their argument.
    const first = args?.namedChildren.find((a) => a !== null && a.type !== 'keyword_argument' && a.type !== 'comment');
    return baseName(first ?? null);
  }
  return inplace || MUTATING_METHODS.has(method) ? baseName(fn.childForFieldName('object')) : undefined;
}
