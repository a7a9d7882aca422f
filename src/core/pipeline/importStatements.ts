// What an import statement binds: `import a.b as c`, `from m import x as y`, `from m import *`.
import type { ImportBinding } from './cellAnalysisModel.ts';
import type { SyntaxNode } from './pythonParser.ts';

export interface ImportStatement {
  bindings: ImportBinding[];
  /** The module of a `from module import *`, which binds names no one can list from the code. */
  starModule?: string;
}

/** The names an import statement binds; `from __future__ import …` binds nothing anyone reads. */
export function importStatement(node: SyntaxNode): ImportStatement {
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
    if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) return { bindings, starModule: module };
    for (const child of node.childrenForFieldName('name')) {
      if (!child) continue;
      if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name')?.text ?? '';
        const alias = child.childForFieldName('alias')?.text ?? name;
        bindings.push({ name: alias, spec: { kind: 'from', module, name, alias }, line });
      } else bindings.push({ name: child.text, spec: { kind: 'from', module, name: child.text }, line });
    }
  }
  return { bindings };
}
