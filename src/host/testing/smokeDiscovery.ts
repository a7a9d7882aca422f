// What the Testing view lists, worked out without VS Code: the pytest tests of a generated
// pipeline's tests/test_smoke.py (parsed with tree-sitter, as pytest would collect them by name)
// and whether a notebook asks to be smoke-tested (`metadata.labbook.smoke: true`).
import type { PythonParser, SyntaxNode } from '../../core/pipeline/pythonParser.ts';
import { isRecord } from '../../shared/isRecord.ts';

export interface PytestFunction {
  /** The pytest node id after `file::`: `test_x`, or `TestClass::test_x`. */
  readonly id: string;
  /** The function's name, as junit reports it (without parameters). */
  readonly name: string;
  /** The class it is a method of, when it is one. */
  readonly className?: string;
  /** 0-based lines of the `def` (decorators excluded) and of the definition's end. */
  readonly line: number;
  readonly endLine: number;
}

/** Tests pytest collects from a module by its default rules: `test*` functions and `test*` methods of `Test*` classes. */
export function pytestFunctions(source: string, parser: PythonParser): PytestFunction[] {
  const tree = parser.parse(source);
  try {
    const found: PytestFunction[] = [];
    for (const node of tree.rootNode.namedChildren) {
      const definition = unwrap(node);
      if (!definition) continue;
      const name = definition.childForFieldName('name')?.text ?? '';
      if (definition.type === 'function_definition' && name.startsWith('test')) found.push(fn(name, definition));
      else if (definition.type === 'class_definition' && name.startsWith('Test')) {
        for (const member of definition.childForFieldName('body')?.namedChildren ?? []) {
          const method = unwrap(member);
          const methodName = method?.childForFieldName('name')?.text ?? '';
          if (method?.type === 'function_definition' && methodName.startsWith('test')) found.push(fn(methodName, method, name));
        }
      }
    }
    return found;
  } finally {
    tree.delete();
  }
}

function unwrap(node: SyntaxNode | null): SyntaxNode | undefined {
  if (!node) return undefined;
  return node.type === 'decorated_definition' ? (node.childForFieldName('definition') ?? undefined) : node;
}

function fn(name: string, node: SyntaxNode, className?: string): PytestFunction {
  return { id: className ? `${className}::${name}` : name, name, ...(className ? { className } : {}), line: node.startPosition.row, endLine: node.endPosition.row };
}

/** Whether a notebook's text carries `metadata.labbook.smoke: true`; false for anything unreadable. */
export function isSmokeTagged(notebookText: string): boolean {
  // Most notebooks never mention Labbook: skip parsing them (they can be megabytes of outputs).
  if (!notebookText.includes('"labbook"')) return false;
  try {
    const json: unknown = JSON.parse(notebookText);
    const labbook = isRecord(json) && isRecord(json.metadata) ? json.metadata.labbook : undefined;
    return isRecord(labbook) && labbook.smoke === true;
  } catch {
    return false;
  }
}
