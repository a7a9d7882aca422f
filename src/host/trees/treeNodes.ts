// The nodes of the Experiments and Models views and the ids VS Code knows them by: plain data and
// pure functions (no `vscode`), so Node tests cover them; the tree providers only map nodes to items.
import type { AuditEntry } from '../../core/lifecycle/lifecycle.ts';
import type { Experiment, ModelVersion, RegisteredModel, Run } from '../../core/store/types.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import type { GroupEntry, RunEntry } from './runGrouping.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

export type ExplorerNode =
  | { readonly kind: 'store'; readonly root: StoreRoot }
  | { readonly kind: 'experiment'; readonly root: StoreRoot; readonly experiment: Experiment }
  | { readonly kind: 'group'; readonly parent: ExperimentNode; readonly entry: GroupEntry }
  | { readonly kind: 'run'; readonly root: StoreRoot; readonly run: Run; readonly pinned?: boolean; readonly children?: readonly RunEntry[] }
  | { readonly kind: 'more'; readonly parent: ExperimentNode; readonly loaded: number }
  | { readonly kind: 'message'; readonly id: string; readonly text: string; readonly error: boolean };

export type ExperimentNode = Extract<ExplorerNode, { kind: 'experiment' }>;
export type RunNode = Extract<ExplorerNode, { kind: 'run' }>;

export type ModelsNode =
  | { readonly kind: 'store'; readonly root: StoreRoot }
  | { readonly kind: 'model'; readonly root: StoreRoot; readonly model: RegisteredModel }
  | { readonly kind: 'version'; readonly root: StoreRoot; readonly version: ModelVersion }
  /** The model's audit trail (promotions, demotions, overrides, archives), newest first. */
  | { readonly kind: 'history'; readonly root: StoreRoot; readonly model: RegisteredModel; readonly entries: readonly AuditEntry[] }
  | { readonly kind: 'audit'; readonly root: StoreRoot; readonly entry: AuditEntry }
  /** `command`: what clicking the row runs (a command id taking no argument). */
  | { readonly kind: 'message'; readonly id: string; readonly text: string; readonly error: boolean; readonly command?: { readonly id: string; readonly title: string } };

export type VersionNode = Extract<ModelsNode, { kind: 'version' }>;

/** The key of an experiment's loaded runs (unique across roots). */
export function pageKey(node: ExperimentNode): string {
  return `${node.root.id}\u0000${node.experiment.experimentId}`;
}

/** The TreeItem id of an Experiments view node: unique in the view, stable across refreshes. */
export function explorerNodeId(node: ExplorerNode): string {
  switch (node.kind) {
    case 'store':
      return `store:${node.root.id}`;
    case 'experiment':
      return `experiment:${node.root.id}:${node.experiment.experimentId}`;
    case 'run':
      return `run:${node.root.id}:${node.run.info.runId}`;
    case 'group':
      return `group:${pageKey(node.parent)}:${node.entry.value ?? '\u0000none'}`;
    case 'more':
      return `more:${pageKey(node.parent)}`;
    case 'message':
      return `message:${node.id}`;
  }
}

/** The TreeItem id of a Models view node. */
export function modelsNodeId(node: ModelsNode): string {
  switch (node.kind) {
    case 'store':
      return `models-store:${node.root.id}`;
    case 'model':
      return `model:${node.root.id}:${node.model.name}`;
    case 'version':
      return `model-version:${node.root.id}:${node.version.name}:${node.version.version}`;
    case 'history':
      return `model-history:${node.root.id}:${node.model.name}`;
    case 'audit':
      return `model-audit:${node.root.id}:${node.entry.name}:${node.entry.key}`;
    case 'message':
      return `models-message:${node.id}`;
  }
}

/** What a store's node says about the damaged entries its store skipped: a short note and the list. */
export function describeSkipped(warnings: readonly string[], listed = 20): { note: string; tooltip: string } | undefined {
  if (warnings.length === 0) return undefined;
  const lines = warnings.slice(0, listed).map((w) => `• ${w}`);
  if (warnings.length > listed) lines.push(`• … and ${warnings.length - listed} more (in the Labbook log)`);
  return {
    note: `${warnings.length} damaged ${warnings.length === 1 ? 'entry' : 'entries'} skipped`,
    tooltip: ['Skipped while reading (the rest of the store reads):', ...lines].join('\n'),
  };
}

/** A store node's description and tooltip in either view: its own description, and the entries it skipped. */
export function storeNodeText(root: StoreRoot): { description: string | undefined; tooltip: string | undefined } {
  const skipped = describeSkipped(root.warnings?.() ?? []);
  return {
    description: [root.description, skipped?.note].filter(Boolean).join(' · ') || undefined,
    tooltip: skipped ? `${root.label}\n${skipped.tooltip}` : undefined,
  };
}

/** The row shown under `parent` when its children could not be read. */
export function explorerErrorRow(parent: ExplorerNode, err: unknown): ExplorerNode {
  return { kind: 'message', id: `${explorerNodeId(parent)}/error`, text: errorMessage(err), error: true };
}

/** The row shown under `parent` in the Models view when its children could not be read. */
export function modelsErrorRow(parent: ModelsNode, err: unknown): ModelsNode {
  return { kind: 'message', id: `${modelsNodeId(parent)}/error`, text: errorMessage(err), error: true };
}
