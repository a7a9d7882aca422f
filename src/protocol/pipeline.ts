/** Contract between the host and the Pipeline export preview panel (webview/pipeline). */
import type { FileAction, ValueKind, WarningKind } from '../core/pipeline/model.ts';
import type { StepMode } from '../core/pipeline/steps.ts';
import { isRecord } from './rpc.ts';

export const PIPELINE_VIEW_TYPE = 'labbook.pipeline';

/** One notebook cell of a step, with the first lines of its source to recognise it by. */
export interface PipelineCellView {
  /** 0-based index in the notebook. */
  readonly index: number;
  readonly id?: string;
  readonly preview: string;
}

export interface PipelineStepView {
  readonly name: string;
  /** The heading, tag or marker it came from. */
  readonly title: string;
  readonly cells: readonly PipelineCellView[];
  readonly inputs: readonly { readonly name: string; readonly from: string }[];
  readonly outputs: readonly { readonly name: string; readonly kind: ValueKind }[];
  readonly params: readonly string[];
  /** Steps named by its `prev:` tags. */
  readonly prev: readonly string[];
}

export interface PipelineEdgeView {
  readonly from: string;
  readonly to: string;
  /** Names carried; empty for an ordering-only edge. */
  readonly names: readonly string[];
}

export interface PipelineWarningView {
  readonly kind: WarningKind;
  readonly message: string;
  /** 0-based notebook cell index, when the warning is about a cell. */
  readonly cellIndex?: number;
  /** 1-based line within that cell. */
  readonly line?: number;
  readonly step?: string;
}

export interface PipelineFileView {
  /** Relative to the output folder, forward slashes. */
  readonly path: string;
  readonly action: FileAction;
  /** Why a conflicting file is kept (only for conflicts). */
  readonly conflict?: string;
}

export interface PipelineConflictView {
  readonly path: string;
  readonly reason: 'edited' | 'notOurs' | 'editedStale';
  readonly message: string;
}

/** What the panel shows: a plain-JSON projection of the core's ExportPlan. */
export interface PipelinePlanView {
  /** Absolute path of the notebook (the panel's identity; kept in the webview state). */
  readonly notebookPath: string;
  readonly notebookName: string;
  /** The output folder as the user gave it (relative to the workspace folder when inside it). */
  readonly outDir: string;
  /** The same folder, absolute. */
  readonly outDirAbsolute: string;
  readonly mode: StepMode;
  readonly steps: readonly PipelineStepView[];
  readonly edges: readonly PipelineEdgeView[];
  readonly warnings: readonly PipelineWarningView[];
  readonly hints: readonly string[];
  readonly parameters: readonly { readonly name: string; readonly literal: string }[];
  readonly metrics: readonly string[];
  /** Generated files with their action, then the stale files the write removes (`remove`). */
  readonly files: readonly PipelineFileView[];
  readonly conflicts: readonly PipelineConflictView[];
}

export interface WriteSummary {
  readonly outDir: string;
  readonly outDirAbsolute: string;
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  /** Conflicting files left as they were. */
  readonly kept: readonly string[];
  readonly removed: readonly string[];
}

/** Every edit names the output folder too, so the plan it returns has the right file actions. */
interface WithOutDir {
  /** The output folder field as typed; empty means the default (pipelines/<notebook name>). */
  readonly outDir: string;
}

export type PipelineRequests = {
  /** The current plan against the folder. Fails with a readable message (corrupt notebook, parser failure). */
  readonly getPlan: { readonly params: WithOutDir; readonly result: PipelinePlanView };
  readonly writePackage: { readonly params: WithOutDir & { readonly force: boolean }; readonly result: WriteSummary };
  /** A folder picker; null when the user cancelled. */
  readonly chooseFolder: { readonly params: WithOutDir; readonly result: { readonly outDir: string } | null };
  /** Shows the cell in the notebook editor. */
  readonly revealCell: { readonly params: { readonly cellIndex: number; readonly line?: number }; readonly result: null };
  /** Retags the step's cells with `step:<name>`; without a name the host asks. Null when cancelled. */
  readonly renameStep: { readonly params: WithOutDir & { readonly step: string; readonly name?: string }; readonly result: PipelinePlanView | null };
  /** Moves the step's cells into the step before it. */
  readonly mergeStep: { readonly params: WithOutDir & { readonly step: string }; readonly result: PipelinePlanView };
  /** Starts a new step at the cell (`step:<name>`); without a name the host asks. Null when cancelled. */
  readonly splitAt: { readonly params: WithOutDir & { readonly cellIndex: number; readonly name?: string }; readonly result: PipelinePlanView | null };
  /** Opens a generated file (relative path) in an editor. */
  readonly openFile: { readonly params: WithOutDir & { readonly path: string }; readonly result: null };
  /** Reveals the output folder in the Explorer. */
  readonly revealFolder: { readonly params: WithOutDir; readonly result: null };
};

export const PIPELINE_METHODS: ReadonlySet<string> = new Set<keyof PipelineRequests>([
  'getPlan',
  'writePackage',
  'chooseFolder',
  'revealCell',
  'renameStep',
  'mergeStep',
  'splitAt',
  'openFile',
  'revealFolder',
]);

export type PipelineEvent =
  /** The notebook was saved or changed on disk: ask for the plan again. */
  | { readonly type: 'notebookChanged' }
  /** The command was run again with another output folder. */
  | { readonly type: 'useOutDir'; readonly outDir: string };

/** Kept with getState/setState; the host's serializer revives the panel from `notebookPath` and `outDir`. */
export interface PipelineState {
  readonly notebookPath: string;
  readonly outDir: string;
  readonly force: boolean;
  /** The last plan, to show at once after a reload (dropped when large). */
  readonly plan?: PipelinePlanView;
  /** The graph's zoom and pan when the user changed them (absent: fitted to the panel). */
  readonly graphView?: { readonly scale: number; readonly x: number; readonly y: number };
}

export function isWithOutDir(value: unknown): value is WithOutDir {
  return isRecord(value) && typeof value.outDir === 'string';
}

export function isPipelineState(value: unknown): value is Pick<PipelineState, 'notebookPath' | 'outDir'> {
  return isRecord(value) && typeof value.notebookPath === 'string' && value.notebookPath !== '' && typeof value.outDir === 'string';
}
