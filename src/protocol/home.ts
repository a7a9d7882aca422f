/** Contract between the host and the Labbook Home panel (webview/home). */
import { defineRequest, NO_PARAMS, oneOf, type RequestTable } from './requests.ts';

export const HOME_VIEW_TYPE = 'labbook.home';

/** Commands the Home panel may ask the host to run; anything else is refused. */
export const HOME_COMMANDS = ['labbook.showLog', 'labbook.openSettings', 'labbook.refreshExperiments'] as const;
export type HomeCommand = (typeof HOME_COMMANDS)[number];

export interface StoreStatus {
  readonly kind: 'local';
  /** Absolute path of the local tracking database, or null without a workspace folder. */
  readonly path: string | null;
  readonly sqliteVersion: string | null;
  /** Active experiments in the store (counted up to 1000), or null when it is not open. */
  readonly experiments: number | null;
  /** Why the store or the SQLite engine could not be opened, when it could not. */
  readonly error: string | null;
}

export interface HomeStatus {
  readonly extensionVersion: string;
  readonly vscodeVersion: string;
  readonly nodeVersion: string;
  readonly platform: string;
  readonly workspaceFolder: string | null;
  readonly trusted: boolean;
  readonly store: StoreStatus;
  /** ISO time the status was read. */
  readonly checkedAt: string;
}

export const homeRequests = {
  getStatus: defineRequest<null, HomeStatus>(NO_PARAMS),
  /** Runs one of HOME_COMMANDS; any other command is refused. */
  runCommand: defineRequest<{ readonly command: HomeCommand }, null>({ command: oneOf(HOME_COMMANDS) }),
} satisfies RequestTable;
export type HomeRequests = typeof homeRequests;

export type HomeEvent = { readonly type: 'status'; readonly status: HomeStatus };

/** What the Home webview keeps with getState/setState, so a reload or restart shows it at once. */
export interface HomeState {
  readonly status: HomeStatus | null;
}
