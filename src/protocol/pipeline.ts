/** Contract between the host and the Pipeline export preview panel (webview/pipeline). */
import type { FileAction, ValueKind, WarningKind } from '../core/pipeline/model.ts';
import type { StepMode } from '../core/pipeline/steps.ts';
import { boolean, defineRequest, finiteNumber, integer, optional, string, type RequestTable } from './requests.ts';
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

const outDir = { outDir: string } as const;

export const pipelineRequests = {
  /** The current plan against the folder. Fails with a readable message (corrupt notebook, parser failure). */
  getPlan: defineRequest<WithOutDir, PipelinePlanView>(outDir),
  writePackage: defineRequest<WithOutDir & { readonly force: boolean }, WriteSummary>({ ...outDir, force: boolean }),
  /** A folder picker; null when the user cancelled. */
  chooseFolder: defineRequest<WithOutDir, { readonly outDir: string } | null>(outDir),
  /** Shows the cell in the notebook editor. */
  revealCell: defineRequest<{ readonly cellIndex: number; readonly line?: number }, null>({ cellIndex: integer, line: optional(finiteNumber) }),
  /** Retags the step's cells with `step:<name>`; without a name the host asks. Null when cancelled. */
  renameStep: defineRequest<WithOutDir & { readonly step: string; readonly name?: string }, PipelinePlanView | null>({ ...outDir, step: string, name: optional(string) }),
  /** Moves the step's cells into the step before it. */
  mergeStep: defineRequest<WithOutDir & { readonly step: string }, PipelinePlanView>({ ...outDir, step: string }),
  /** Starts a new step at the cell (`step:<name>`); without a name the host asks. Null when cancelled. */
  splitAt: defineRequest<WithOutDir & { readonly cellIndex: number; readonly name?: string }, PipelinePlanView | null>({ ...outDir, cellIndex: integer, name: optional(string) }),
  /** Opens a generated file (relative path) in an editor; the host refuses paths outside the package. */
  openFile: defineRequest<WithOutDir & { readonly path: string }, null>({ ...outDir, path: string }),
  /** Reveals the output folder in the Explorer. */
  revealFolder: defineRequest<WithOutDir, null>(outDir),
} satisfies RequestTable;
export type PipelineRequests = typeof pipelineRequests;

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

export function isPipelineState(value: unknown): value is Pick<PipelineState, 'notebookPath' | 'outDir'> {
  return isRecord(value) && typeof value.notebookPath === 'string' && value.notebookPath !== '' && typeof value.outDir === 'string';
}
