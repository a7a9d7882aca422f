// Which names one code cell defines and uses, in source order, from its tree-sitter syntax tree.
// Python's scoping is followed where it changes the answer for a notebook: function, lambda, class
// and comprehension scopes (their free variables surface as uses at the definition), `global`,
// walrus binding in the enclosing scope, and in-place mutation counted as a use plus a redefinition.
import type { JsonValue } from '../notebook/notebookModel.ts';
import type { SyntaxNode, SyntaxTree } from './pythonParser.ts';
import { inferValueKind, unserializableReason, type KindContext } from './valueKind.ts';
import type { ValueKind } from './model.ts';
import { pythonLiteral } from './literals.ts';

export type NameEventKind = 'use' | 'def' | 'mutate' | 'del';

export interface NameEvent {
  kind: NameEventKind;
  name: string;
  /** 1-based line in the cell. */
  line: number;
  /** A read that happens when a function defined here is called, not now. */
  deferred?: boolean;
  /** The top-level def/class whose body or decorators produced it (moved with it if it is shared). */
  owner?: string;
  /** A plain `name = …` at the cell's top level (not inside a block): safe to `del` afterwards. */
  plain?: boolean;
  kindHint?: ValueKind;
  /** Why the assigned value is unlikely to survive pickling, when it looks so. */
  unserializable?: string;
}

export type ImportSpec =
  | { kind: 'import'; module: string; alias?: string }
  | { kind: 'from'; module: string; name: string; alias?: string };

export interface ImportBinding {
  /** The name the statement binds. */
  name: string;
  spec: ImportSpec;
  line: number;
}

export interface TopDefinition {
  name: string;
  kind: 'function' | 'class';
  /** Its source, decorators included. */
  text: string;
  start: number;
  end: number;
  line: number;
  /** Names its body reads from module level. */
  free: Array<{ name: string; line: number }>;
  /** Names it assigns under `global`. */
  writesGlobals: string[];
}

export interface LiteralAssignment {
  name: string;
  value: JsonValue;
  literal: string;
  line: number;
}

export interface CellAnalysis {
  events: NameEvent[];
  imports: ImportBinding[];
  starImports: Array<{ module: string; line: number }>;
  /** Source ranges of top-level import statements (hoisted to module top in generated code). */
  importRanges: Array<{ start: number; end: number }>;
  topDefinitions: TopDefinition[];
  /** Top-level `name = literal` statements (what a parameters cell should hold). */
  literals: LiteralAssignment[];
  /** Top-level statements that are not literal assignments (with their ranges), for the parameters cell. */
  otherStatements: Array<{ start: number; end: number; line: number }>;
  syntaxErrors: number[];
}

type ScopeKind = 'function' | 'lambda' | 'class' | 'comprehension';

interface Scope {
  kind: ScopeKind;
  bound: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
  reads: Array<{ name: string; line: number }>;
  globalWrites: Array<{ name: string; line: number }>;
}

const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'append', 'extend', 'insert', 'remove', 'pop', 'clear', 'update', 'sort', 'reverse', 'add', 'discard',
  'setdefault', 'popitem', 'fit', 'partial_fit', 'fit_transform', 'set_params', 'set_index_inplace',
]);
const COMPREHENSIONS: ReadonlySet<string> = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const PATTERN_CONTAINERS: ReadonlySet<string> = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'expression_list', 'parenthesized_expression', 'as_pattern_target']);

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

export function analyzeCell(tree: SyntaxTree, kinds: KindContext): CellAnalysis {
  return new CellWalker(kinds).run(tree.rootNode);
}

class CellWalker {
  private readonly kinds: KindContext;
  private readonly scopes: Scope[] = [];
  private depth = 0;
  private owner: string | undefined;
  private readonly result: CellAnalysis = { events: [], imports: [], starImports: [], importRanges: [], topDefinitions: [], literals: [], otherStatements: [], syntaxErrors: [] };

  constructor(kinds: KindContext) {
    this.kinds = kinds;
  }

  run(root: SyntaxNode): CellAnalysis {
    if (root.hasError) this.collectErrors(root);
    for (const child of root.namedChildren) {
      if (!child) continue;
      this.topLevel(child);
    }
    return this.result;
  }

  private collectErrors(node: SyntaxNode): void {
    const lines = new Set<number>();
    const visit = (n: SyntaxNode, budget: { left: number }) => {
      if (budget.left-- <= 0) return;
      if (n.isError || n.isMissing) lines.add(n.startPosition.row + 1);
      else if (n.hasError) for (const c of n.children) if (c) visit(c, budget);
    };
    visit(node, { left: 100_000 });
    this.result.syntaxErrors.push(...[...lines].sort((a, b) => a - b));
  }

  private topLevel(node: SyntaxNode): void {
    const line = node.startPosition.row + 1;
    let definition = node;
    if (node.type === 'decorated_definition') definition = node.childForFieldName('definition') ?? node;
    if (definition.type === 'function_definition' || definition.type === 'class_definition') {
      const name = definition.childForFieldName('name')?.text ?? '';
      const before = this.result.events.length;
      this.owner = name;
      const scope = this.walk(node);
      this.owner = undefined;
      const free = this.result.events.slice(before).filter((e) => e.kind === 'use' && e.deferred).map((e) => ({ name: e.name, line: e.line }));
      this.result.topDefinitions.push({
        name,
        kind: definition.type === 'function_definition' ? 'function' : 'class',
        text: node.text,
        start: node.startIndex,
        end: node.endIndex,
        line,
        free,
        writesGlobals: scope ?? [],
      });
      return;
    }
    if (node.type === 'import_statement' || node.type === 'import_from_statement' || node.type === 'future_import_statement') {
      this.result.importRanges.push({ start: node.startIndex, end: node.endIndex });
    }
    const literal = this.literalAssignment(node);
    if (literal) this.result.literals.push(literal);
    else if (node.type !== 'comment') this.result.otherStatements.push({ start: node.startIndex, end: node.endIndex, line });
    this.walk(node);
  }

  private literalAssignment(node: SyntaxNode): LiteralAssignment | undefined {
    if (node.type !== 'expression_statement' || node.namedChildCount !== 1) return undefined;
    const assignment = node.namedChild(0);
    if (assignment?.type !== 'assignment') return undefined;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) return undefined;
    const value = pythonLiteral(right);
    if (value === undefined) return undefined;
    return { name: left.text, value, literal: right.text, line: node.startPosition.row + 1 };
  }

  private get scope(): Scope | undefined {
    return this.scopes[this.scopes.length - 1];
  }

  private use(name: string, node: SyntaxNode): void {
    const scope = this.scope;
    const line = node.startPosition.row + 1;
    if (scope) scope.reads.push({ name, line });
    else this.event({ kind: 'use', name, line });
  }

  private define(name: string, node: SyntaxNode, extra: Partial<NameEvent> = {}, walrus = false): void {
    let scope = this.scope;
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

  private mutate(name: string | undefined, node: SyntaxNode): void {
    if (!name) return;
    const scope = this.scope;
    if (scope) scope.reads.push({ name, line: node.startPosition.row + 1 });
    else this.event({ kind: 'mutate', name, line: node.startPosition.row + 1 });
  }

  private event(e: NameEvent): void {
    if (this.owner !== undefined) e.owner = this.owner;
    this.result.events.push(e);
  }

  /** Walks a node; for a function/class definition, returns the globals it assigns. */
  private walk(node: SyntaxNode): string[] | undefined {
    switch (node.type) {
      case 'identifier':
        this.use(node.text, node);
        return undefined;
      case 'comment':
      case 'string_content':
      case 'escape_sequence':
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return undefined;
      case 'assignment':
        this.assignment(node);
        return undefined;
      case 'augmented_assignment': {
        this.walkField(node, 'right');
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') {
          this.use(left.text, left);
          this.define(left.text, left, { plain: false });
        } else if (left) this.bindTarget(left, false);
        return undefined;
      }
      case 'named_expression': {
        this.walkField(node, 'value');
        const name = node.childForFieldName('name');
        if (name) this.define(name.text, name, { plain: false }, true);
        return undefined;
      }
      case 'for_statement': {
        this.walkField(node, 'right');
        const left = node.childForFieldName('left');
        if (left) this.bindTarget(left, false);
        this.walkField(node, 'body');
        this.walkField(node, 'alternative');
        return undefined;
      }
      case 'as_pattern': {
        // `with x() as y`, `except E as e`: the expression, then the binding.
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'as_pattern_target') this.bindTarget(child, false);
          else this.walk(child);
        }
        return undefined;
      }
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement':
        this.importStatement(node);
        return undefined;
      case 'decorated_definition': {
        for (const child of node.namedChildren) if (child?.type === 'decorator') this.walk(child);
        const definition = node.childForFieldName('definition');
        return definition ? this.walk(definition) : undefined;
      }
      case 'function_definition':
        return this.functionDefinition(node);
      case 'class_definition':
        return this.classDefinition(node);
      case 'lambda':
        this.lambda(node);
        return undefined;
      case 'global_statement':
      case 'nonlocal_statement': {
        const scope = this.scope;
        for (const child of node.namedChildren) {
          if (child?.type !== 'identifier' || !scope) continue;
          (node.type === 'global_statement' ? scope.globals : scope.nonlocals).add(child.text);
        }
        return undefined;
      }
      case 'delete_statement':
        for (const target of node.namedChildren) if (target) this.deleteTarget(target);
        return undefined;
      case 'call':
        this.call(node);
        return undefined;
      case 'keyword_argument':
        this.walkField(node, 'value');
        return undefined;
      case 'attribute':
        this.walkField(node, 'object');
        return undefined;
      case 'block':
        this.depth++;
        this.walkChildren(node);
        this.depth--;
        return undefined;
      case 'case_pattern':
        this.casePattern(node);
        return undefined;
      default:
        if (COMPREHENSIONS.has(node.type)) {
          this.comprehension(node);
          return undefined;
        }
        this.walkChildren(node);
        return undefined;
    }
  }

  private walkChildren(node: SyntaxNode): void {
    for (const child of node.namedChildren) if (child) this.walk(child);
  }

  private walkField(node: SyntaxNode, field: string): void {
    const child = node.childForFieldName(field);
    if (child) this.walk(child);
  }

  private assignment(node: SyntaxNode): void {
    const right = node.childForFieldName('right');
    if (right) this.walk(right);
    this.walkField(node, 'type');
    const left = node.childForFieldName('left');
    if (!left || !right) return; // `x: int` alone binds nothing
    if (left.type === 'identifier') {
      // For a chained `a = b = value`, the value is the innermost right-hand side.
      let value: SyntaxNode = right;
      for (let i = 0; i < 100 && value.type === 'assignment'; i++) value = value.childForFieldName('right') ?? value;
      const atTop = this.depth === 0 && !this.scope;
      const kindHint = atTop ? inferValueKind(value, this.kinds) : 'unknown';
      const reason = atTop ? unserializableReason(value, this.kinds) : undefined;
      if (atTop) this.kinds.kinds.set(left.text, kindHint);
      this.define(left.text, left, { plain: atTop, kindHint, ...(reason ? { unserializable: reason } : {}) });
      return;
    }
    this.bindTarget(left, false);
  }

  private bindTarget(node: SyntaxNode, plain: boolean): void {
    switch (node.type) {
      case 'identifier':
        if (!this.scope && this.depth === 0) this.kinds.kinds.set(node.text, 'unknown');
        this.define(node.text, node, { plain });
        return;
      case 'subscript':
        this.walkField(node, 'value');
        this.walkField(node, 'subscript');
        for (const extra of node.childrenForFieldName('subscript')) if (extra && extra !== node.childForFieldName('subscript')) this.walk(extra);
        this.mutate(baseName(node), node);
        return;
      case 'attribute':
        this.walkField(node, 'object');
        this.mutate(baseName(node), node);
        return;
      case 'list_splat_pattern':
      case 'list_splat':
        for (const child of node.namedChildren) if (child) this.bindTarget(child, false);
        return;
      default:
        if (PATTERN_CONTAINERS.has(node.type)) {
          for (const child of node.namedChildren) if (child) this.bindTarget(child, false);
          return;
        }
        this.walk(node);
    }
  }

  private deleteTarget(node: SyntaxNode): void {
    if (node.type === 'expression_list' || node.type === 'tuple' || node.type === 'list' || node.type === 'parenthesized_expression') {
      for (const child of node.namedChildren) if (child) this.deleteTarget(child);
      return;
    }
    if (node.type === 'identifier') {
      const scope = this.scope;
      if (scope) scope.bound.add(node.text);
      else this.event({ kind: 'del', name: node.text, line: node.startPosition.row + 1 });
      return;
    }
    this.bindTarget(node, false);
  }

  private call(node: SyntaxNode): void {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (fn) this.walk(fn);
    if (args) this.walk(args);
    if (fn?.type !== 'attribute') return;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    const inplace = args?.namedChildren.some((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'inplace' && a.childForFieldName('value')?.type === 'true') ?? false;
    if (method === 'shuffle') {
      // random.shuffle(x), np.random.shuffle(x), rng.shuffle(x) reorder their argument.
      const first = args?.namedChildren.find((a) => a !== null && a.type !== 'keyword_argument' && a.type !== 'comment');
      this.mutate(baseName(first ?? null), node);
      return;
    }
    if (inplace || MUTATING_METHODS.has(method)) this.mutate(baseName(fn.childForFieldName('object')), node);
  }

  private importStatement(node: SyntaxNode): void {
    const line = node.startPosition.row + 1;
    const bindings: ImportBinding[] = [];
    if (node.type === 'import_statement') {
      for (const child of node.childrenForFieldName('name')) {
        if (!child) continue;
        if (child.type === 'aliased_import') {
          const module = child.childForFieldName('name')?.text ?? '';
          const alias = child.childForFieldName('alias')?.text ?? module;
          bindings.push({ name: alias, spec: { kind: 'import', module, alias }, line });
        } else {
          const module = child.text;
          bindings.push({ name: module.split('.')[0] ?? module, spec: { kind: 'import', module }, line });
        }
      }
    } else if (node.type === 'import_from_statement') {
      const module = node.childForFieldName('module_name')?.text ?? '';
      if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
        if (!this.scope) this.result.starImports.push({ module, line });
        return;
      }
      for (const child of node.childrenForFieldName('name')) {
        if (!child) continue;
        if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text ?? '';
          const alias = child.childForFieldName('alias')?.text ?? name;
          bindings.push({ name: alias, spec: { kind: 'from', module, name, alias }, line });
        } else bindings.push({ name: child.text, spec: { kind: 'from', module, name: child.text }, line });
      }
    }
    // `from __future__ import …` binds nothing anyone reads.
    const scope = this.scope;
    for (const binding of bindings) {
      if (scope) scope.bound.add(binding.name);
      else {
        this.result.imports.push(binding);
        this.kinds.imports.set(binding.name, binding.spec.kind === 'import' ? binding.spec.module : `${binding.spec.module}.${binding.spec.name}`);
      }
    }
  }

  private openScope(kind: ScopeKind): Scope {
    const scope: Scope = { kind, bound: new Set(), globals: new Set(), nonlocals: new Set(), reads: [], globalWrites: [] };
    this.scopes.push(scope);
    return scope;
  }

  /** Closes the innermost scope: its free names become reads of the enclosing one (uses, at module level). */
  private closeScope(): Scope {
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

  private parameters(params: SyntaxNode | null, scope: Scope): void {
    if (!params) return;
    // Defaults and annotations are evaluated where the function is defined.
    this.scopes.pop();
    const names: string[] = [];
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
          this.walkField(param, 'type');
          this.walkField(param, 'value');
          break;
        }
        case 'typed_parameter': {
          const inner = param.namedChildren.find((c) => c?.type === 'identifier' || c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern');
          if (inner) names.push(inner.type === 'identifier' ? inner.text : (inner.namedChild(0)?.text ?? ''));
          this.walkField(param, 'type');
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
    this.scopes.push(scope);
    for (const name of names) if (name) scope.bound.add(name);
  }

  private functionDefinition(node: SyntaxNode): string[] {
    const name = node.childForFieldName('name');
    const scope = this.openScope('function');
    this.parameters(node.childForFieldName('parameters'), scope);
    this.scopes.pop();
    this.walkField(node, 'return_type');
    this.scopes.push(scope);
    this.walkField(node, 'body');
    const closed = this.closeScope();
    if (name) this.define(name.text, name, { plain: false });
    return closed.globalWrites.map((w) => w.name);
  }

  private classDefinition(node: SyntaxNode): string[] {
    const name = node.childForFieldName('name');
    this.walkField(node, 'superclasses');
    this.openScope('class');
    this.walkField(node, 'body');
    const closed = this.closeScope();
    if (name) this.define(name.text, name, { plain: false });
    return closed.globalWrites.map((w) => w.name);
  }

  private lambda(node: SyntaxNode): void {
    const scope = this.openScope('lambda');
    this.parameters(node.childForFieldName('parameters'), scope);
    this.walkField(node, 'body');
    this.closeScope();
  }

  private comprehension(node: SyntaxNode): void {
    const clauses = node.namedChildren.filter((c): c is SyntaxNode => c !== null && (c.type === 'for_in_clause' || c.type === 'if_clause'));
    // The first iterable is evaluated in the enclosing scope; everything else in the comprehension's own.
    const first = clauses[0];
    if (first?.type === 'for_in_clause') this.walkField(first, 'right');
    this.openScope('comprehension');
    clauses.forEach((clause, i) => {
      if (clause.type === 'if_clause') {
        this.walkChildren(clause);
        return;
      }
      if (i > 0) this.walkField(clause, 'right');
      const left = clause.childForFieldName('left');
      if (left) this.bindTarget(left, false);
    });
    this.walkField(node, 'body');
    this.closeScope();
  }

  private casePattern(node: SyntaxNode): void {
    // Bare names in a pattern capture; dotted names and class patterns read.
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'identifier') this.define(child.text, child, { plain: false });
      else if (child.type === 'dotted_name') this.use(child.namedChild(0)?.text ?? '', child);
      else this.walk(child);
    }
  }
}
