import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';

/** Activates Labbook and returns its API and its extension record. */
export async function activateLabbook(): Promise<{ api: LabbookApi; ext: vscode.Extension<LabbookApi> }> {
  const ext = vscode.extensions.getExtension<LabbookApi>('labbook.labbook');
  assert.ok(ext, 'labbook.labbook is not installed in this extension host');
  return { api: await ext.activate(), ext };
}

/** A second connection to a store file, as another window or a logging script would have. */
export function openStore(ext: vscode.Extension<LabbookApi>, file: string): SqliteTrackingStore {
  return new SqliteTrackingStore(file, { runtime: { nativeBinding: path.join(ext.extensionPath, 'dist', 'better_sqlite3.node') } });
}

/** Labbook's API and a second connection to the workspace's local store. */
export async function workspaceStore(): Promise<{ api: LabbookApi; other: SqliteTrackingStore }> {
  const { api, ext } = await activateLabbook();
  const status = await api.readStatus();
  assert.ok(status.store.path, 'the test workspace has a local store');
  return { api, other: openStore(ext, status.store.path) };
}

/** Resolves with the first request the real webview makes and the host answers. */
export function firstRequest(panel: { onDidHandleRequest: vscode.Event<{ method: string; ok: boolean }> }, ms = 60_000): Promise<{ method: string; ok: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the webview made no request within ${ms} ms`)), ms);
    const sub = panel.onDidHandleRequest((e) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

/** Resolves when `event` fires with a value that `accept` takes, or rejects after `ms`. */
export function waitFor<T>(event: vscode.Event<T>, accept: (value: T) => boolean, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const sub = event((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

/** Polls until `check` returns a value (bounded). */
export async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
