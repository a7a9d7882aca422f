// What every section of the panel shares: the RPC client, the saved UI state and the current run.
import type { RunDetails, RunDetailsEvent, RunDetailsRequests, RunDetailsResult, RunDetailsState, RunDetailsTab } from '../../src/protocol/runDetails.ts';
import { isRunDetailsTab, isRunRef } from '../../src/protocol/runDetails.ts';
import type { RpcClient } from '../shared/rpcClient.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

export type UiState = { -readonly [K in keyof RunDetailsState]: RunDetailsState[K] };

/** The saved state, plus the last details when small enough to show at once after a reload. */
export type SavedState = RunDetailsState & { readonly details?: RunDetails };

export interface Ctx {
  readonly rpc: RpcClient<RunDetailsRequests, RunDetailsEvent>;
  readonly ui: UiState;
  /** The run shown, or null before the first answer and when there is none. */
  details(): RunDetails | null;
  /** Writes the UI state with setState. */
  save(): void;
  /** Shows fresh details (e.g. an edit's answer) everywhere. */
  show(result: RunDetailsResult): void;
  selectTab(tab: RunDetailsTab, focus?: boolean): void;
}

export function initialUi(saved: Partial<SavedState> | undefined): UiState {
  const s = saved ?? {};
  const sort = s.paramSort;
  return {
    ...(isRunRef(s.ref) ? { ref: s.ref } : {}),
    tab: isRunDetailsTab(s.tab) ? s.tab : 'overview',
    showSystemTags: s.showSystemTags === true,
    paramSort: { column: sort?.column === 'value' ? 'value' : 'key', descending: sort?.descending === true },
    paramFilter: typeof s.paramFilter === 'string' ? s.paramFilter : '',
    metricFilter: typeof s.metricFilter === 'string' ? s.metricFilter : '',
    expanded: Array.isArray(s.expanded) ? s.expanded.filter((p): p is string => typeof p === 'string') : [],
    selectedArtifact: typeof s.selectedArtifact === 'string' ? s.selectedArtifact : null,
    logAll: s.logAll === true,
    logFilter: typeof s.logFilter === 'string' ? s.logFilter : '',
    codeView: s.codeView === 'patch' ? 'patch' : 'snapshot',
  };
}

/** A section's inline error, shown in place of a blank. */
export function errorText(what: string, err: unknown): string {
  return `Could not ${what}: ${errorMessage(err)}`;
}
