/** Contract between the host and the Labbook Home panel (webview/home). */
import { isRecord } from './rpc.ts';

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

export type HomeRequests = {
  readonly getStatus: { readonly params: null; readonly result: HomeStatus };
  readonly runCommand: { readonly params: { readonly command: HomeCommand }; readonly result: null };
};

export const HOME_METHODS: ReadonlySet<string> = new Set<keyof HomeRequests>(['getStatus', 'runCommand']);

export type HomeEvent = { readonly type: 'status'; readonly status: HomeStatus };

/** What the Home webview keeps with getState/setState, so a reload or restart shows it at once. */
export interface HomeState {
  readonly status: HomeStatus | null;
}

export function isHomeCommand(value: unknown): value is HomeCommand {
  return typeof value === 'string' && (HOME_COMMANDS as readonly string[]).includes(value);
}

export function isRunCommandParams(value: unknown): value is HomeRequests['runCommand']['params'] {
  return isRecord(value) && isHomeCommand(value.command);
}
