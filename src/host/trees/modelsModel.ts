// What the Models view shows, apart from VS Code: store roots → registered models → their versions,
// newest first. The tree provider only maps these nodes to TreeItems. Plain data (no `vscode`), so
// Node tests drive it against real stores.
import type { StoreRoot } from '../stores/storeRoot.ts';
import { modelsErrorRow, type ModelsNode } from './treeNodes.ts';

/** Registered models read per store (the view lists them in one go). */
const MAX_MODELS = 1000;

export class ModelsModel {
  private readonly roots: () => readonly StoreRoot[];

  constructor(roots: () => readonly StoreRoot[]) {
    this.roots = roots;
  }

  /** The children of a node (the roots without one); a failed read is one error row under it. */
  async children(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) return this.roots().map((root) => ({ kind: 'store', root }));
    try {
      const store = node.kind === 'store' || node.kind === 'model' ? await node.root.open() : undefined;
      if (!store) return [];
      if (node.kind === 'store') {
        const models = await store.searchRegisteredModels({ maxResults: MAX_MODELS });
        if (models.items.length === 0) return [{ kind: 'message', id: `${node.root.id}/none`, text: 'No registered models yet.', error: false }];
        return models.items.map((model) => ({ kind: 'model', root: node.root, model }));
      }
      if (node.kind === 'model') {
        const versions = await store.searchModelVersions({ filter: `name = ${quotedName(node.model.name)}` });
        return [...versions.items]
          .sort((a, b) => Number(b.version) - Number(a.version))
          .map((version) => ({ kind: 'version', root: node.root, version }));
      }
    } catch (err) {
      return [modelsErrorRow(node, err)];
    }
    return [];
  }
}

/**
 * A model name as a filter value. MLflow's parser (and ours) takes a quoted value as it stands,
 * with no escapes, so a name holding `'` is given in double quotes.
 */
export function quotedName(name: string): string {
  return name.includes("'") && !name.includes('"') ? `"${name}"` : `'${name}'`;
}
