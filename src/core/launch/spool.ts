// The launcher's files on local disk, per run: `<spoolDir>/<runId>/output.log` (the output as it
// arrives) and `end.json` (how the run ended, or that a stop was asked for), written before the
// store is told. Recovery reads them when a window died before it could finish a run.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePrivateFolder } from '../system/privateFolder.ts';

let chosenSpoolDir: string | undefined;

/**
 * Where launches spool output unless told otherwise (the extension passes its storage folder): a
 * folder of this user's in the temp folder, private, since a run's bootstrap is written there.
 */
export function defaultSpoolDir(): string {
  const uid = process.getuid?.();
  chosenSpoolDir ??= ensurePrivateFolder(path.join(os.tmpdir(), uid === undefined ? 'labbook-runs' : `labbook-runs-${uid}`), 'labbook-runs-');
  return chosenSpoolDir;
}

export interface EndMarker {
  readonly status: 'FINISHED' | 'FAILED' | 'KILLED';
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly endTime?: number;
  readonly stopRequestedAt?: number;
}

export function writeEndMarker(runSpool: string, marker: EndMarker): void {
  try {
    writeFileSync(path.join(runSpool, 'end.json'), JSON.stringify(marker));
  } catch {
    // Best effort: the store update that follows is the real record.
  }
}

export function readEndMarker(runSpool: string): EndMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(path.join(runSpool, 'end.json'), 'utf8')) as EndMarker;
    return ['FINISHED', 'FAILED', 'KILLED'].includes(marker.status) ? marker : undefined;
  } catch {
    return undefined;
  }
}

/** The spooled log's last modification (ms), if there is one. */
export function spooledLogTime(runSpool: string): number | undefined {
  try {
    return statSync(path.join(runSpool, 'output.log')).mtimeMs;
  } catch {
    return undefined;
  }
}
