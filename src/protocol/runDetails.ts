/** Contract between the host and the Run Details panel (webview/runDetails). */
import type {
  ArtifactEntry,
  ArtifactPreview,
  RunCode,
  RunDetailsResult,
  RunEnvironment,
  RunFingerprints,
  RunLog,
  RunRef,
} from '../core/runDetails/model.ts';
import { isRecord } from './rpc.ts';

export type {
  ArtifactEntry,
  ArtifactPreview,
  BoundedText,
  DataFingerprint,
  DatasetRow,
  LoggedModelRow,
  RunLineage,
  GitInfo,
  JsonNumber,
  MetricSummary,
  RunCode,
  RunDetails,
  RunDetailsResult,
  RunEnvironment,
  RunFingerprints,
  RunLog,
  RunOverview,
  RunRef,
  Sparkline,
  SparkPoint,
  TagRow,
} from '../core/runDetails/model.ts';

export const RUN_DETAILS_VIEW_TYPE = 'labbook.runDetails';

/**
 * Requests of the page. Reads answer with plain JSON; edits answer with the fresh details (the
 * whole state, re-rendered), so the page never patches its own copy. Actions that leave the panel
 * (open in editor, save as, open at commit, open another run) answer null once the host did them.
 */
export type RunDetailsRequests = {
  readonly getDetails: { readonly params: null; readonly result: RunDetailsResult };
  /** One folder of the artifact tree ('' is the root). */
  readonly listArtifacts: { readonly params: { readonly path: string }; readonly result: readonly ArtifactEntry[] };
  readonly previewArtifact: { readonly params: { readonly path: string }; readonly result: ArtifactPreview };
  /** labbook/logs/output.log: its tail, or (`all`) all of it up to a larger bound. */
  readonly getLog: { readonly params: { readonly all: boolean }; readonly result: RunLog };
  readonly getCode: { readonly params: null; readonly result: RunCode };
  readonly getEnvironment: { readonly params: null; readonly result: RunEnvironment };
  readonly getFingerprints: { readonly params: null; readonly result: RunFingerprints };
  /** Adds or edits a user tag; `previousKey` when the edit renamed it. */
  readonly setTag: { readonly params: { readonly key: string; readonly value: string; readonly previousKey?: string }; readonly result: RunDetailsResult };
  readonly deleteTag: { readonly params: { readonly key: string }; readonly result: RunDetailsResult };
  readonly setNote: { readonly params: { readonly content: string }; readonly result: RunDetailsResult };
  readonly openArtifact: { readonly params: { readonly path: string }; readonly result: null };
  readonly saveArtifact: { readonly params: { readonly path: string }; readonly result: null };
  /** Opens the run's source file at its commit; the host reads both from the run's tags. */
  readonly openSourceAtCommit: { readonly params: null; readonly result: null };
  /** Opens the details of another run of the same store (parent, reproduced run). */
  readonly openRun: { readonly params: { readonly runId: string }; readonly result: null };
  readonly copyText: { readonly params: { readonly text: string }; readonly result: null };
};

export const RUN_DETAILS_METHODS: ReadonlySet<string> = new Set<keyof RunDetailsRequests>([
  'getDetails',
  'listArtifacts',
  'previewArtifact',
  'getLog',
  'getCode',
  'getEnvironment',
  'getFingerprints',
  'setTag',
  'deleteTag',
  'setNote',
  'openArtifact',
  'saveArtifact',
  'openSourceAtCommit',
  'openRun',
  'copyText',
]);

/** The host pushes fresh details when the run changed (live while it runs, or edited elsewhere). */
export type RunDetailsEvent = { readonly type: 'changed'; readonly result: RunDetailsResult };

export const RUN_DETAILS_TABS = ['overview', 'params', 'metrics', 'tags', 'artifacts', 'log', 'code', 'environment', 'data'] as const;
export type RunDetailsTab = (typeof RUN_DETAILS_TABS)[number];

export type ParamSortColumn = 'key' | 'value';
export type CodeView = 'snapshot' | 'patch';

/** What the page keeps with getState/setState; the host revives the panel from `ref`. */
export interface RunDetailsState {
  readonly ref?: RunRef;
  readonly tab: RunDetailsTab;
  readonly showSystemTags: boolean;
  readonly paramSort: { readonly column: ParamSortColumn; readonly descending: boolean };
  readonly paramFilter: string;
  readonly metricFilter: string;
  /** Artifact folders the user opened, and the artifact last previewed. */
  readonly expanded: readonly string[];
  readonly selectedArtifact: string | null;
  readonly logAll: boolean;
  readonly logFilter: string;
  readonly codeView: CodeView;
}

export function isRunRef(value: unknown): value is RunRef {
  return isRecord(value) && typeof value.store === 'string' && value.store !== '' && typeof value.runId === 'string' && value.runId !== '';
}

export function isRunDetailsTab(value: unknown): value is RunDetailsTab {
  return typeof value === 'string' && (RUN_DETAILS_TABS as readonly string[]).includes(value);
}

/** `{ [name]: string }` params, e.g. hasStrings(params, 'path'). */
export function hasStrings<K extends string>(value: unknown, ...names: K[]): value is { readonly [P in K]: string } {
  return isRecord(value) && names.every((n) => typeof value[n] === 'string');
}
