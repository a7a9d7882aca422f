// Which names one code cell defines and uses, in source order, from its tree-sitter syntax tree
// (nameWalker.ts, through Python's scopes in pythonScopes.ts), and what its top-level statements
// are: imports to hoist, functions and classes that may be shared, `name = literal` parameters.
import type { CellAnalysis, LiteralAssignment } from './cellAnalysisModel.ts';
import { pythonLiteral } from './literals.ts';
import { NameWalker } from './nameWalker.ts';
import type { SyntaxNode, SyntaxTree } from './pythonParser.ts';
import type { KindContext } from './valueKind.ts';

export function analyzeCell(tree: SyntaxTree, kinds: KindContext): CellAnalysis {
  const result: CellAnalysis = { events: [], imports: [], starImports: [], importRanges: [], topDefinitions: [], literals: [], otherStatements: [], syntaxErrors: [] };
  const root = tree.rootNode;
  if (root.hasError) result.syntaxErrors.push(...syntaxErrorLines(root));
  const walker = new NameWalker(kinds, result);
  for (const child of root.namedChildren) {
    if (!child) continue;
    topLevelStatement(child, walker, result);
  }
  return result;
}

/** The lines (sorted) of the syntax errors under `node`. */
function syntaxErrorLines(node: SyntaxNode): number[] {
  const lines = new Set<number>();
  const visit = (n: SyntaxNode, budget: { left: number }) => {
    if (budget.left-- <= 0) return;
    if (n.isError || n.isMissing) lines.add(n.startPosition.row + 1);
    else if (n.hasError) for (const c of n.children) if (c) visit(c, budget);
  };
  visit(node, { left: 100_000 });
  return [...lines].sort((a, b) => a - b);
}

function topLevelStatement(node: SyntaxNode, walker: NameWalker, result: CellAnalysis): void {
  const line = node.startPosition.row + 1;
  let definition = node;
  if (node.type === 'decorated_definition') definition = node.childForFieldName('definition') ?? node;
  if (definition.type === 'function_definition' || definition.type === 'class_definition') {
    const name = definition.childForFieldName('name')?.text ?? '';
    const before = result.events.length;
    const scope = walker.walkDefinition(name, node);
    const free = result.events.slice(before).filter((e) => e.kind === 'use' && e.deferred).map((e) => ({ name: e.name, line: e.line }));
    result.topDefinitions.push({
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
    result.importRanges.push({ start: node.startIndex, end: node.endIndex });
  }
  const literal = literalAssignment(node);
  if (literal) result.literals.push(literal);
  else if (node.type !== 'comment') result.otherStatements.push({ start: node.startIndex, end: node.endIndex, line });
  walker.walk(node);
}

/** A top-level `name = literal` statement, or undefined. */
function literalAssignment(node: SyntaxNode): LiteralAssignment | undefined {
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
