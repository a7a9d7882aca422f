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
import { boolean, defineRequest, NO_PARAMS, nonEmptyString, optional, string, type RequestTable } from './requests.ts';
import { isRecord } from './rpc.ts';

export type {
  ArtifactEntry,
  ArtifactPreview,
  BoundedText,
  DataFileRow,
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

export type { ColumnProfile, DataProfile, ProfileFailure, RunProfiles } from '../core/profile/types.ts';

export const RUN_DETAILS_VIEW_TYPE = 'labbook.runDetails';

/**
 * Requests of the page. Reads answer with plain JSON; edits answer with the fresh details (the
 * whole state, re-rendered), so the page never patches its own copy. Actions that leave the panel
 * (open in editor, save as, open at commit, open another run) answer null once the host did them.
 */
/** An artifact path (the host also checks it stays under the run's artifact root). */
type ArtifactPath = { readonly path: string };
const artifactPath = { path: string } as const;

export const runDetailsRequests = {
  getDetails: defineRequest<null, RunDetailsResult>(NO_PARAMS),
  /** One folder of the artifact tree ('' is the root). */
  listArtifacts: defineRequest<ArtifactPath, readonly ArtifactEntry[]>(artifactPath),
  previewArtifact: defineRequest<ArtifactPath, ArtifactPreview>(artifactPath),
  /** labbook/logs/output.log: its tail, or (`all`) all of it up to a larger bound. */
  getLog: defineRequest<{ readonly all: boolean }, RunLog>({ all: boolean }),
  getCode: defineRequest<null, RunCode>(NO_PARAMS),
  getEnvironment: defineRequest<null, RunEnvironment>(NO_PARAMS),
  getFingerprints: defineRequest<null, RunFingerprints>(NO_PARAMS),
  /** Adds or edits a user tag; `previousKey` when the edit renamed it. */
  setTag: defineRequest<{ readonly key: string; readonly value: string; readonly previousKey?: string }, RunDetailsResult>({ key: string, value: string, previousKey: optional(string) }),
  deleteTag: defineRequest<{ readonly key: string }, RunDetailsResult>({ key: string }),
  setNote: defineRequest<{ readonly content: string }, RunDetailsResult>({ content: string }),
  openArtifact: defineRequest<ArtifactPath, null>(artifactPath),
  saveArtifact: defineRequest<ArtifactPath, null>(artifactPath),
  /** Opens the run's source file at its commit; the host reads both from the run's tags. */
  openSourceAtCommit: defineRequest<null, null>(NO_PARAMS),
  /** Opens the details of another run of the same store (parent, reproduced run). */
  openRun: defineRequest<{ readonly runId: string }, null>({ runId: nonEmptyString }),
  copyText: defineRequest<{ readonly text: string }, null>({ text: string }),
  /** Opens the drift panel: this run's data against a run, a model alias's training data or a file (picked in the host). */
  compareDataWith: defineRequest<null, null>(NO_PARAMS),
} satisfies RequestTable;
export type RunDetailsRequests = typeof runDetailsRequests;

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
