/** Contract between the host and the What Changed panel (webview/whatChanged). */
import type { SideRef, WhatChanged } from '../core/whatChanged/types.ts';
import { conforms, defineRequest, NO_PARAMS, oneOf, type RequestTable } from './requests.ts';
import { isRecord } from './rpc.ts';
import { whatChangedCheck, whatChangedSource } from './whatChangedChecks.ts';

export type {
  Change,
  ColumnChange,
  DataFileChange,
  DatasetChange,
  MetricChange,
  PackageChange,
  ParamChange,
  SideInfo,
  SideRef,
  SignatureFacts,
  WhatChanged,
} from '../core/whatChanged/types.ts';

export const WHAT_CHANGED_VIEW_TYPE = 'labbook.whatChanged';

/** The two sides a panel compares, of one store (its explorer root id). */
export interface WhatChangedSource {
  readonly store: string;
  readonly base: SideRef;
  readonly remote: SideRef;
}

export const CODE_FILES = ['snapshot', 'patch'] as const;
export type CodeFile = (typeof CODE_FILES)[number];
export const SIDES = ['base', 'remote'] as const;
export type Side = (typeof SIDES)[number];

export const whatChangedRequests = {
  /** The comparison, read afresh. */
  getDiff: defineRequest<null, WhatChanged>(NO_PARAMS),
  /** Opens both sides' code snapshot (or git patch) in VS Code's diff editor. */
  openDiff: defineRequest<{ readonly file: CodeFile }, null>({ file: oneOf(CODE_FILES) }),
  /** Opens both notebook snapshots in Labbook's notebook diff. */
  openNotebookDiff: defineRequest<null, null>(NO_PARAMS),
  /** Opens a side's source run in Run Details. */
  openRun: defineRequest<{ readonly side: Side }, null>({ side: oneOf(SIDES) }),
} satisfies RequestTable;
export type WhatChangedRequests = typeof whatChangedRequests;

/** `source`: after each ready, so the page keeps it for the restore; `storeChanged`: ask again. */
export type WhatChangedEvent = { readonly type: 'source'; readonly source: WhatChangedSource } | { readonly type: 'storeChanged' };

/** Kept with getState/setState: the source revives the panel; the last diff is drawn at once after a reload. */
export interface WhatChangedState {
  readonly source: WhatChangedSource;
  readonly diff: WhatChanged | null;
}

/** What a saved page state gives back: its source when it names one, its last comparison only when that reads as one (else null: read afresh). */
export function readWhatChangedState(value: unknown): { readonly source: WhatChangedSource | null; readonly diff: WhatChanged | null } {
  if (!isRecord(value)) return { source: null, diff: null };
  return {
    source: conforms(whatChangedSource, value.source) ? value.source : null,
    diff: conforms(whatChangedCheck, value.diff) ? value.diff : null,
  };
}
