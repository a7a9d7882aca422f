// The words of the markdown banners conflictNotebook.ts puts around each conflict: what a person
// reads when the conflicted notebook is opened in Jupyter or VS Code without Labbook's editor.
import type { CellConflict, KeyConflict, MergedCell } from './model.ts';

const RESOLVE_HINT =
  "Resolve it in Labbook's merge editor (**Labbook: Open Notebook Merge**), or keep one version, delete the other and these banners.";

export function startBanner(k: number, total: number, merged: MergedCell): string {
  const what = merged.conflicts.map(describeConflict).join('; ');
  const local = merged.versions?.local !== undefined;
  const remote = merged.versions?.remote !== undefined;
  const below = local && remote
    ? 'Below: the local version (ours), then the remote version (theirs).'
    : local
      ? 'Below: the local version (ours); the remote side (theirs) deleted this cell.'
      : 'Below: the remote version (theirs); the local side (ours) deleted this cell.';
  return `⚠ **Merge conflict ${k} of ${total}** — ${what}. ${below} ${RESOLVE_HINT}`;
}

export function betweenBanner(k: number, merged: MergedCell): string {
  const above = merged.versions?.local !== undefined ? '↑ local version (ours)' : '(the local side, ours, deleted this cell)';
  const below = merged.versions?.remote !== undefined ? '↓ remote version (theirs)' : '(the remote side, theirs, deleted this cell)';
  return `⚠ Merge conflict ${k}: ${above} · ${below}`;
}

export function endBanner(k: number): string {
  return `⚠ End of merge conflict ${k}.`;
}

/** The notice above the first cell when notebook metadata conflicts too. */
export function metadataBanner(conflicts: readonly KeyConflict[], cellConflicts: number): string {
  const keys = conflicts.map(describeKey).join(', ');
  const cells = cellConflicts > 0 ? ` and ${cellConflicts} conflict${cellConflicts === 1 ? '' : 's'} in cells below` : '';
  return (
    `⚠ **Merge conflicts in the notebook metadata**${cells}: ${keys} changed differently on both sides; ` +
    `the local value (ours) is in place for now. Resolve them in Labbook's merge editor (**Labbook: Open Notebook Merge**).`
  );
}

function describeConflict(c: CellConflict): string {
  switch (c.kind) {
    case 'source': {
      const n = c.regions.filter((r) => 'conflict' in r).length;
      return `the source changed on both sides (${n} place${n === 1 ? '' : 's'})`;
    }
    case 'deleted':
      return c.deletedBy === 'local' ? 'the local side (ours) deleted this cell and the remote side (theirs) changed it' : 'the remote side (theirs) deleted this cell and the local side (ours) changed it';
    case 'added':
      return 'both sides added a different cell here';
    case 'metadata': {
      const what = c.part === 'attachments' ? 'attachments' : 'cell metadata';
      return `${what} ${c.keys.map(describeKey).join(', ')} changed differently`;
    }
    case 'cellType':
      return `the cell type changed differently (ours: ${c.local}, theirs: ${c.remote})`;
    case 'executionCount':
      return 'the execution count changed differently';
  }
}

/** A conflicting key and each side's value, short: `tags` (ours: ["a"], theirs: deleted). */
function describeKey(key: KeyConflict): string {
  const value = (v: KeyConflict['local']) => {
    if (v === undefined) return 'deleted';
    const text = JSON.stringify(v);
    return code(text.length > 40 ? `${text.slice(0, 39)}…` : text);
  };
  return `${code(key.path.join('/'))} (ours: ${value(key.local)}, theirs: ${value(key.remote)})`;
}

/** A key name as inline code, whatever backticks it holds. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
