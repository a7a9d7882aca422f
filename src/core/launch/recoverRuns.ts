// Runs a window launched and could not finish (the window or the machine died): RUNNING runs
// tagged as launched on this host whose process is gone and whose launching session is not live
// anymore. They end FAILED, or with the status their end marker recorded (KILLED when a stop was
// asked for), at the latest moment the run is known to have been alive.
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { TrackingStore } from '../store/trackingStore.ts';
import type { Run, Tag } from '../store/types.ts';
import { ARTIFACTS, TAGS } from './conventions.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { isProcessAlive } from './processes.ts';
import { defaultSpoolDir, readEndMarker, spooledLogTime } from './spool.ts';

export interface RecoveryOptions {
  /** The current session's owner id: its runs are live by definition. */
  readonly owner: string;
  /** Other sessions known to be live (another window); default: only `owner`. */
  readonly isLiveOwner?: (owner: string) => boolean;
  /** Whether a pid is a live process on this host; default: kill(pid, 0). */
  readonly isAlive?: (pid: number) => boolean;
  /** The host whose runs to look at; default: os.hostname(). */
  readonly host?: string;
  readonly spoolDir?: string;
  readonly now?: () => number;
  /** Bounds the search: at most this many RUNNING candidates are looked at. Default 5000. */
  readonly maxRuns?: number;
}

export interface RecoveredRun {
  readonly runId: string;
  readonly experimentId: string;
  readonly status: 'FAILED' | 'KILLED' | 'FINISHED';
  readonly endTime: number;
  /** Where endTime came from. */
  readonly endTimeFrom: 'end marker' | 'last metric' | 'log file' | 'now';
}

export interface RecoveryResult {
  readonly recovered: readonly RecoveredRun[];
  readonly notes: readonly string[];
}

const PAGE = 500;
const EXPERIMENT_CHUNK = 50;

export async function recoverInterruptedRuns(store: TrackingStore, options: RecoveryOptions): Promise<RecoveryResult> {
  const host = options.host ?? os.hostname();
  const isAlive = options.isAlive ?? isProcessAlive;
  const isLiveOwner = (owner: string | undefined): boolean => owner === options.owner || (owner !== undefined && (options.isLiveOwner?.(owner) ?? false));
  const now = options.now ?? Date.now;
  const spoolDir = options.spoolDir ?? defaultSpoolDir();
  const maxRuns = options.maxRuns ?? 5000;
  const notes: string[] = [];
  const candidates = await findRunning(store, host, maxRuns, notes);
  const recovered: RecoveredRun[] = [];
  for (const run of candidates) {
    const tags = tagMap(run.data.tags);
    const pid = Number(tags.get(TAGS.pid));
    if ((Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) || isLiveOwner(tags.get(TAGS.owner))) continue;
    const runSpool = path.join(spoolDir, run.info.runId);
    const marker = readEndMarker(runSpool);
    const status = marker ? (marker.stopRequestedAt !== undefined ? 'KILLED' : marker.status) : 'FAILED';
    const lastMetric = run.data.metrics.reduce<number | undefined>((max, m) => (max === undefined || m.timestamp > max ? m.timestamp : max), undefined);
    const logTime = spooledLogTime(runSpool);
    let endTime: number;
    let endTimeFrom: RecoveredRun['endTimeFrom'];
    if (marker?.endTime !== undefined) [endTime, endTimeFrom] = [marker.endTime, 'end marker'];
    else if (lastMetric !== undefined && (logTime === undefined || lastMetric >= logTime)) [endTime, endTimeFrom] = [lastMetric, 'last metric'];
    else if (logTime !== undefined) [endTime, endTimeFrom] = [Math.round(logTime), 'log file'];
    else [endTime, endTimeFrom] = [now(), 'now'];
    endTime = Math.max(endTime, run.info.startTime);
    try {
      if (logTime !== undefined) await store.writeArtifact(run.info.runId, ARTIFACTS.outputLog, await readFile(path.join(runSpool, 'output.log')));
      if (marker?.exitCode !== undefined && marker.exitCode !== null) await store.setTag(run.info.runId, { key: TAGS.exitCode, value: String(marker.exitCode) });
      await store.setTag(run.info.runId, { key: 'labbook.recovered', value: `${status} by recovery: the process and its session were gone (end time from ${endTimeFrom})` });
      await store.updateRun(run.info.runId, { status, endTime });
      recovered.push({ runId: run.info.runId, experimentId: run.info.experimentId, status, endTime, endTimeFrom });
    } catch (err) {
      notes.push(`run ${run.info.runId}: not recovered (${errorFirstLine(err)}).`);
    }
  }
  return { recovered, notes };
}

async function findRunning(store: TrackingStore, host: string, maxRuns: number, notes: string[]): Promise<Run[]> {
  const experimentIds: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await store.searchExperiments({ maxResults: 1000, viewType: 'ACTIVE_ONLY', ...(token ? { pageToken: token } : {}) });
    experimentIds.push(...result.items.map((e) => e.experimentId));
    token = result.nextPageToken;
    if (!token) break;
  }
  const filter = `attributes.status = 'RUNNING' and tags.\`${TAGS.host}\` = '${host.replace(/'/g, "\\'")}'`;
  const runs: Run[] = [];
  for (let i = 0; i < experimentIds.length; i += EXPERIMENT_CHUNK) {
    let pageToken: string | undefined;
    // Bounded by maxRuns: every page adds at least one run or ends the loop.
    do {
      const page = await store.searchRuns({ experimentIds: experimentIds.slice(i, i + EXPERIMENT_CHUNK), filter, maxResults: PAGE, ...(pageToken ? { pageToken } : {}) });
      runs.push(...page.items);
      pageToken = page.items.length > 0 ? page.nextPageToken : undefined;
      if (runs.length >= maxRuns) {
        notes.push(`more than ${maxRuns} RUNNING runs on ${host}; only the first ${maxRuns} were checked.`);
        return runs.slice(0, maxRuns);
      }
    } while (pageToken);
  }
  return runs;
}

function tagMap(tags: readonly Tag[]): Map<string, string> {
  return new Map(tags.map((t) => [t.key, t.value]));
}
