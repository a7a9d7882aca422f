import * as vscode from 'vscode';
import type { RestAuth } from '../../core/mlflow/restClient.ts';
import { TrackingError } from '../../core/store/errors.ts';
import { RestTrackingStore } from '../../core/store/rest/restStore.ts';
import type { StoreChanges } from './storeChanges.ts';

export type RemoteAuthKind = 'none' | 'bearer' | 'basic';

/** What the `labbook.remoteServers` setting holds: never a password or token. */
export interface RemoteServerEntry {
  readonly url: string;
  readonly name?: string;
  readonly auth: RemoteAuthKind;
  /** For basic auth; the password is in SecretStorage. */
  readonly username?: string;
}

export interface NewRemoteServer extends RemoteServerEntry {
  /** The bearer token or the password; kept in SecretStorage only. */
  readonly secret?: string;
}

const SETTING = 'remoteServers';

/** `https://host/x/` → `https://host/x`; throws a user-facing message for anything unusable. */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error(`'${input}' is not a URL. Give the tracking server's address, e.g. http://mlflow.example.com:5000.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('The tracking server address must start with http:// or https://.');
  if (url.username || url.password) throw new Error('Leave credentials out of the address: Labbook asks for them and keeps them in VS Code\'s secret storage.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The MLflow tracking servers the user connected: addresses and auth kinds in user settings,
 * tokens and passwords in VS Code's SecretStorage (the OS keychain), never in settings. Adding or
 * removing one publishes a change of every store (credentials may change while the setting does
 * not, so the settings event alone would keep a stale connection).
 */
export class RemoteServers {
  private readonly secrets: vscode.SecretStorage;
  private readonly changes: StoreChanges;
  private readonly log: vscode.LogOutputChannel;

  constructor(secrets: vscode.SecretStorage, changes: StoreChanges, log: vscode.LogOutputChannel) {
    this.secrets = secrets;
    this.changes = changes;
    this.log = log;
  }

  list(): RemoteServerEntry[] {
    const raw = vscode.workspace.getConfiguration('labbook').get<unknown>(SETTING, []);
    return (Array.isArray(raw) ? raw : []).filter(
      (e): e is RemoteServerEntry => typeof e === 'object' && e !== null && typeof (e as RemoteServerEntry).url === 'string',
    );
  }

  private secretKey(url: string): string {
    return `labbook.remote:${url}`;
  }

  /** Checks the server answers with these credentials (one experiment search). */
  async test(server: NewRemoteServer): Promise<void> {
    const store = new RestTrackingStore({ baseUrl: server.url, auth: authOf(server, server.secret), timeoutMs: 10_000, retry: { maxAttempts: 2 } });
    await store.searchExperiments({ maxResults: 1 });
  }

  async add(server: NewRemoteServer): Promise<RemoteServerEntry> {
    const url = normalizeServerUrl(server.url);
    const entry: RemoteServerEntry = { url, auth: server.auth, ...(server.name ? { name: server.name } : {}), ...(server.username ? { username: server.username } : {}) };
    if (server.auth !== 'none') await this.secrets.store(this.secretKey(url), server.secret ?? '');
    else await this.secrets.delete(this.secretKey(url));
    const others = this.list().filter((e) => e.url !== url);
    await vscode.workspace.getConfiguration('labbook').update(SETTING, [...others, entry], vscode.ConfigurationTarget.Global);
    this.log.info(`Added the MLflow tracking server ${url} (${server.auth} auth)`);
    this.changes.publish({ kind: 'all' });
    return entry;
  }

  async remove(url: string): Promise<boolean> {
    const before = this.list();
    const after = before.filter((e) => e.url !== url);
    await this.secrets.delete(this.secretKey(url));
    if (after.length === before.length) return false;
    await vscode.workspace.getConfiguration('labbook').update(SETTING, after.length ? after : undefined, vscode.ConfigurationTarget.Global);
    this.log.info(`Removed the MLflow tracking server ${url}`);
    this.changes.publish({ kind: 'all' });
    return true;
  }

  /** A store over a configured server, with its secret from SecretStorage. */
  async open(url: string): Promise<RestTrackingStore> {
    const entry = this.list().find((e) => e.url === url);
    if (!entry) throw new TrackingError('RESOURCE_DOES_NOT_EXIST', `${url} is not one of Labbook's tracking servers. Add it with "Labbook: Add MLflow Tracking Server…".`);
    const secret = entry.auth === 'none' ? undefined : await this.secrets.get(this.secretKey(url));
    if (entry.auth !== 'none' && secret === undefined) {
      throw new TrackingError('UNAUTHENTICATED', `The credentials for ${url} are missing from VS Code's secret storage. Add the server again to enter them.`);
    }
    return new RestTrackingStore({ baseUrl: url, auth: authOf(entry, secret) });
  }

  /** What a launched `mlflow` client needs to log into this server: a token, or basic-auth variables. */
  async clientCredentials(url: string): Promise<{ token?: string; env: Record<string, string> }> {
    const entry = this.list().find((e) => e.url === url);
    if (!entry || entry.auth === 'none') return { env: {} };
    const secret = (await this.secrets.get(this.secretKey(url))) ?? '';
    if (entry.auth === 'bearer') return { token: secret, env: {} };
    return { env: { MLFLOW_TRACKING_USERNAME: entry.username ?? '', MLFLOW_TRACKING_PASSWORD: secret } };
  }
}

function authOf(server: RemoteServerEntry, secret: string | undefined): RestAuth {
  switch (server.auth) {
    case 'none':
      return { kind: 'none' };
    case 'bearer':
      return { kind: 'bearer', token: secret ?? '' };
    case 'basic':
      return { kind: 'basic', username: server.username ?? '', password: secret ?? '' };
  }
}
