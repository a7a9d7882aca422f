// Python's scopes as far as they change which names a notebook cell defines and uses: function,
// lambda, class and comprehension scopes (their free variables surface as uses at the definition),
// `global` and `nonlocal`, and a walrus in a comprehension binding in the enclosing scope.
import type { NameEvent } from './cellAnalysisModel.ts';
import type { SyntaxNode } from './pythonParser.ts';

export type ScopeKind = 'function' | 'lambda' | 'class' | 'comprehension';

export interface Scope {
  kind: ScopeKind;
  bound: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
  reads: Array<{ name: string; line: number }>;
  globalWrites: Array<{ name: string; line: number }>;
}

/** The scopes open around the node being walked; at module level, names become the cell's events. */
export class ScopeStack {
  private readonly scopes: Scope[] = [];
  private readonly events: NameEvent[];
  /** The top-level def/class being walked: its events carry it as their owner. */
  owner: string | undefined;

  constructor(events: NameEvent[]) {
    this.events = events;
  }

  get current(): Scope | undefined {
    return this.scopes[this.scopes.length - 1];
  }

  use(name: string, node: SyntaxNode): void {
    const scope = this.current;
    const line = node.startPosition.row + 1;
    if (scope) scope.reads.push({ name, line });
    else this.event({ kind: 'use', name, line });
  }

  define(name: string, node: SyntaxNode, extra: Partial<NameEvent> = {}, walrus = false): void {
    let scope = this.current;
    if (walrus && scope?.kind === 'comprehension') {
      // A walrus inside a comprehension binds in the enclosing function (or the module).
      for (let i = this.scopes.length - 1; i >= 0 && scope?.kind === 'comprehension'; i--) scope = this.scopes[i - 1];
    }
    const line = node.startPosition.row + 1;
    if (scope) {
      if (scope.globals.has(name)) scope.globalWrites.push({ name, line });
      else scope.bound.add(name);
      return;
    }
    const { kind: _ignored, ...rest } = extra;
    this.event({ kind: 'def', name, line, ...rest });
  }

  mutate(name: string | undefined, node: SyntaxNode): void {
    if (!name) return;
    const scope = this.current;
    if (scope) scope.reads.push({ name, line: node.startPosition.row + 1 });
    else this.event({ kind: 'mutate', name, line: node.startPosition.row + 1 });
  }

  event(e: NameEvent): void {
    if (this.owner !== undefined) e.owner = this.owner;
    this.events.push(e);
  }

  open(kind: ScopeKind): Scope {
    const scope: Scope = { kind, bound: new Set(), globals: new Set(), nonlocals: new Set(), reads: [], globalWrites: [] };
    this.scopes.push(scope);
    return scope;
  }

  /** Runs `walk` with the innermost scope set aside: what a definition evaluates where it is defined. */
  outside(walk: () => void): void {
    const scope = this.scopes.pop();
    walk();
    if (scope) this.scopes.push(scope);
  }

  /** Closes the innermost scope: its free names become reads of the enclosing one (uses, at module level). */
  close(): Scope {
    const scope = this.scopes.pop();
    if (!scope) throw new Error('scope underflow');
    const deferred = scope.kind !== 'comprehension';
    const free = scope.reads.filter((r) => !scope.bound.has(r.name) || scope.globals.has(r.name));
    // Class bodies are not visible from their methods: a method's free names skip the class scope.
    let parentIndex = this.scopes.length - 1;
    if (scope.kind !== 'class') while (parentIndex >= 0 && this.scopes[parentIndex]?.kind === 'class') parentIndex--;
    const parent = this.scopes[parentIndex];
    for (const read of free) {
      if (parent) parent.reads.push(read);
      else this.event({ kind: 'use', name: read.name, line: read.line, ...(deferred ? { deferred: true } : {}) });
    }
    for (const write of scope.globalWrites) {
      if (parent) parent.globalWrites.push(write);
      else this.event({ kind: 'def', name: write.name, line: write.line, deferred: true });
    }
    return scope;
  }
}

/**
 * The names a parameter list binds. Defaults and annotations are evaluated where the function is
 * defined: `evaluate` walks them, in source order.
 */
export function parameterNames(params: SyntaxNode, evaluate: (node: SyntaxNode) => void): string[] {
  const names: string[] = [];
  const evaluateField = (node: SyntaxNode, field: string) => {
    const child = node.childForFieldName(field);
    if (child) evaluate(child);
  };
  for (const param of params.namedChildren) {
    if (!param) continue;
    switch (param.type) {
      case 'identifier':
        names.push(param.text);
        break;
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = param.childForFieldName('name');
        if (name) names.push(name.text);
        evaluateField(param, 'type');
        evaluateField(param, 'value');
        break;
      }
      case 'typed_parameter': {
        const inner = param.namedChildren.find((c) => c?.type === 'identifier' || c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern');
        if (inner) names.push(inner.type === 'identifier' ? inner.text : (inner.namedChild(0)?.text ?? ''));
        evaluateField(param, 'type');
        break;
      }
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern':
        names.push(param.namedChild(0)?.text ?? '');
        break;
      default:
        break;
    }
  }
  return names;
}
