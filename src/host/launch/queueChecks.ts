// The data checks (`labbook.checks.beforeLaunch`) for runs that start later, unattended: Queue Run
// checks when it queues, a sweep once when it starts (its trials would ask N times). The same
// guard as a launch, so "block", "warn" and Launch Anyway behave the same.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LaunchService } from './launchService.ts';

export interface QueuedLaunchData {
  readonly file: string;
  /** The folder the run will start in: its data paths are relative to it. */
  readonly cwd?: string;
  /** Its own data paths; else `labbook.dataPaths`, as launchQueued gives it. */
  readonly dataPaths?: readonly string[] | undefined;
}

/** True: go ahead (passed, "warn", "off", no checks file). False: blocked, the user told why; `anyway` is Launch Anyway. */
export async function checkBeforeQueueing(launches: LaunchService, what: QueuedLaunchData, anyway: () => Promise<unknown>): Promise<boolean> {
  if (!launches.guard) return true;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(what.file));
  const cwd = what.cwd ?? folder?.uri.fsPath ?? path.dirname(what.file);
  const dataPaths = what.dataPaths ?? vscode.workspace.getConfiguration('labbook', folder?.uri).get<string[]>('dataPaths', []);
  return launches.guard({ file: what.file, cwd }, dataPaths, anyway);
}
