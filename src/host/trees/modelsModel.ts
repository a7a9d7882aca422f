// What the Models view shows, apart from VS Code: store roots → registered models → their history
// (the audit trail of promotions and archives) and versions, newest first; retired versions only
// when asked. The tree provider only maps these nodes to TreeItems. Plain data (no `vscode`), so
// Node tests drive it against real stores.
import { auditEntriesOf, isRetired } from '../../core/lifecycle/lifecycle.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import { modelsErrorRow, type ModelsNode } from './treeNodes.ts';

/** Registered models read per store (the view lists them in one go). */
const MAX_MODELS = 1000;

export class ModelsModel {
  private readonly roots: () => readonly StoreRoot[];
  private readonly showRetired: () => boolean;

  /** `showRetired`: whether retired (archived) versions are listed; hidden by default. */
  constructor(roots: () => readonly StoreRoot[], showRetired: () => boolean = () => false) {
    this.roots = roots;
    this.showRetired = showRetired;
  }

  /** The children of a node (the roots without one); a failed read is one error row under it. */
  async children(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) return this.roots().map((root) => ({ kind: 'store', root }));
    if (node.kind === 'history') return node.entries.map((entry) => ({ kind: 'audit', root: node.root, entry }));
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
        // The audit trail is kept in the model's tags, which the model's node already holds.
        const entries = auditEntriesOf(node.model.name, node.model.tags);
        const showRetired = this.showRetired();
        const sorted = [...versions.items].sort((a, b) => Number(b.version) - Number(a.version));
        const shown = showRetired ? sorted : sorted.filter((v) => !isRetired(v));
        const hidden = sorted.length - shown.length;
        return [
          ...(entries.length ? [{ kind: 'history' as const, root: node.root, model: node.model, entries }] : []),
          ...shown.map((version) => ({ kind: 'version' as const, root: node.root, version })),
          ...(hidden
            ? [
                {
                  kind: 'message' as const,
                  id: `${node.root.id}/${node.model.name}/retired`,
                  text: `${hidden} retired ${hidden === 1 ? 'version' : 'versions'} hidden`,
                  error: false,
                  command: { id: 'labbook.showRetiredVersions', title: 'Show Retired Versions' },
                },
              ]
            : []),
        ];
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
