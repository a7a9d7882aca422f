// Walks one cell's syntax tree statement by statement and reports, in source order, each name it
// defines, uses, mutates in place or deletes (events at module level; inside definitions, through
// Python's scopes), plus the imports it binds.
import type { CellAnalysis } from './cellAnalysisModel.ts';
import { importStatement } from './importStatements.ts';
import { baseName, mutatedByCall } from './mutations.ts';
import type { SyntaxNode } from './pythonParser.ts';
import { parameterNames, ScopeStack, type ScopeKind } from './pythonScopes.ts';
import { inferValueKind, unserializableReason, type KindContext } from './valueKind.ts';

const COMPREHENSIONS: ReadonlySet<string> = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const PATTERN_CONTAINERS: ReadonlySet<string> = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'expression_list', 'parenthesized_expression', 'as_pattern_target']);

export class NameWalker {
  private readonly kinds: KindContext;
  private readonly result: CellAnalysis;
  private readonly scopes: ScopeStack;
  private depth = 0;

  /** Events go to `result.events`, imports to `result.imports` and `result.starImports`. */
  constructor(kinds: KindContext, result: CellAnalysis) {
    this.kinds = kinds;
    this.result = result;
    this.scopes = new ScopeStack(result.events);
  }

  /** Walks a top-level function or class definition: its events carry `owner`. Returns the globals it assigns. */
  walkDefinition(owner: string, node: SyntaxNode): string[] | undefined {
    this.scopes.owner = owner;
    const globals = this.walk(node);
    this.scopes.owner = undefined;
    return globals;
  }

  /** Walks a node; for a function/class definition, returns the globals it assigns. */
  walk(node: SyntaxNode): string[] | undefined {
    switch (node.type) {
      case 'identifier':
        this.scopes.use(node.text, node);
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
          this.scopes.use(left.text, left);
          this.scopes.define(left.text, left, { plain: false });
        } else if (left) this.bindTarget(left, false);
        return undefined;
      }
      case 'named_expression': {
        this.walkField(node, 'value');
        const name = node.childForFieldName('name');
        if (name) this.scopes.define(name.text, name, { plain: false }, true);
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
        const scope = this.scopes.current;
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
        this.walkField(node, 'function');
        this.walkField(node, 'arguments');
        this.scopes.mutate(mutatedByCall(node), node);
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
      const atTop = this.depth === 0 && !this.scopes.current;
      const kindHint = atTop ? inferValueKind(value, this.kinds) : 'unknown';
      const reason = atTop ? unserializableReason(value, this.kinds) : undefined;
      if (atTop) this.kinds.kinds.set(left.text, kindHint);
      this.scopes.define(left.text, left, { plain: atTop, kindHint, ...(reason ? { unserializable: reason } : {}) });
      return;
    }
    this.bindTarget(left, false);
  }

  private bindTarget(node: SyntaxNode, plain: boolean): void {
    switch (node.type) {
      case 'identifier':
        if (!this.scopes.current && this.depth === 0) this.kinds.kinds.set(node.text, 'unknown');
        this.scopes.define(node.text, node, { plain });
        return;
      case 'subscript':
        this.walkField(node, 'value');
        this.walkField(node, 'subscript');
        for (const extra of node.childrenForFieldName('subscript')) if (extra && extra !== node.childForFieldName('subscript')) this.walk(extra);
        this.scopes.mutate(baseName(node), node);
        return;
      case 'attribute':
        this.walkField(node, 'object');
        this.scopes.mutate(baseName(node), node);
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
      const scope = this.scopes.current;
      if (scope) scope.bound.add(node.text);
      else this.scopes.event({ kind: 'del', name: node.text, line: node.startPosition.row + 1 });
      return;
    }
    this.bindTarget(node, false);
  }

  private importStatement(node: SyntaxNode): void {
    const { bindings, starModule } = importStatement(node);
    const scope = this.scopes.current;
    if (starModule !== undefined) {
      if (!scope) this.result.starImports.push({ module: starModule, line: node.startPosition.row + 1 });
      return;
    }
    for (const binding of bindings) {
      if (scope) scope.bound.add(binding.name);
      else {
        this.result.imports.push(binding);
        this.kinds.imports.set(binding.name, binding.spec.kind === 'import' ? binding.spec.module : `${binding.spec.module}.${binding.spec.name}`);
      }
    }
  }

  /** Opens a function or lambda scope and binds its parameters (their defaults evaluated outside it). */
  private openWithParameters(kind: ScopeKind, params: SyntaxNode | null): void {
    const scope = this.scopes.open(kind);
    if (!params) return;
    let names: string[] = [];
    this.scopes.outside(() => {
      names = parameterNames(params, (n) => this.walk(n));
    });
    for (const name of names) if (name) scope.bound.add(name);
  }

  private functionDefinition(node: SyntaxNode): string[] {
    const name = node.childForFieldName('name');
    this.openWithParameters('function', node.childForFieldName('parameters'));
    this.scopes.outside(() => this.walkField(node, 'return_type'));
    this.walkField(node, 'body');
    const closed = this.scopes.close();
    if (name) this.scopes.define(name.text, name, { plain: false });
    return closed.globalWrites.map((w) => w.name);
  }

  private classDefinition(node: SyntaxNode): string[] {
    const name = node.childForFieldName('name');
    this.walkField(node, 'superclasses');
    this.scopes.open('class');
    this.walkField(node, 'body');
    const closed = this.scopes.close();
    if (name) this.scopes.define(name.text, name, { plain: false });
    return closed.globalWrites.map((w) => w.name);
  }

  private lambda(node: SyntaxNode): void {
    this.openWithParameters('lambda', node.childForFieldName('parameters'));
    this.walkField(node, 'body');
    this.scopes.close();
  }

  private comprehension(node: SyntaxNode): void {
    const clauses = node.namedChildren.filter((c): c is SyntaxNode => c !== null && (c.type === 'for_in_clause' || c.type === 'if_clause'));
    // The first iterable is evaluated in the enclosing scope; everything else in the comprehension's own.
    const first = clauses[0];
    if (first?.type === 'for_in_clause') this.walkField(first, 'right');
    this.scopes.open('comprehension');
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
    this.scopes.close();
  }

  private casePattern(node: SyntaxNode): void {
    // Bare names in a pattern capture; dotted names and class patterns read.
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'identifier') this.scopes.define(child.text, child, { plain: false });
      else if (child.type === 'dotted_name') this.scopes.use(child.namedChild(0)?.text ?? '', child);
      else this.walk(child);
    }
  }
}
