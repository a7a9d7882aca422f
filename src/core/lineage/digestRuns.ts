// The runs that used a dataset digest, over every experiment. MLflow's run search filters by
// dataset (`datasets.digest = '…'`), and so do Labbook's stores (SQL over the local store's inputs,
// the in-memory search over mlflow.db and mlruns): one query. A store whose search refuses the
// clause (an older MLflow server) is scanned instead, a bounded number of runs, with a note.
import { SearchSyntaxError } from '../mlflow/searchFilter.ts';
import { TrackingError } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { Run } from '../store/types.ts';
import { searchString as quoted } from '../runsTable/viewQuery.ts';
import { activeExperimentIds } from '../store/activeExperiments.ts';

const SCAN_PAGE = 1000;

export interface DigestRuns {
  /** At most `limit` runs, newest first. */
  readonly runs: readonly Run[];
  /** Set when the runs were found by a scan that did not reach every run. */
  readonly note?: string;
  /** Runs found before those whose inputs did not match were dropped: more than `limit` means the runs were cut. */
  readonly found: number;
}


function usesDataset(run: Run, digest: string, name: string | undefined): boolean {
  return (run.inputs?.datasetInputs ?? []).some((d) => d.dataset.digest === digest && (name === undefined || d.dataset.name === name));
}

/** Whether a search failed because the store does not know the dataset clause (not because it is down). */
function refusedFilter(err: unknown): boolean {
  return err instanceof SearchSyntaxError || (err instanceof TrackingError && (err.code === 'INVALID_PARAMETER_VALUE' || err.code === 'BAD_REQUEST'));
}

export async function runsUsingDigest(store: ReadableStore, digest: string, name: string | undefined, limit: number, scanLimit: number): Promise<DigestRuns> {
  const experiments = await activeExperimentIds(store);
  if (experiments.length === 0) return { runs: [], found: 0 };
  const filter = `datasets.digest = ${quoted(digest)}${name === undefined ? '' : ` AND datasets.name = ${quoted(name)}`}`;
  try {
    const found = await store.searchRuns({ experimentIds: experiments, filter, maxResults: limit });
    // Two dataset clauses may match two different inputs of a run: keep the runs where one input has both.
    return { runs: found.items.filter((r) => r.inputs === undefined || usesDataset(r, digest, name)), found: found.items.length };
  } catch (err) {
    if (!refusedFilter(err)) throw err;
  }
  const runs: Run[] = [];
  let read = 0;
  let pageToken: string | undefined;
  while (read < scanLimit && runs.length < limit) {
    const page = await store.searchRuns({ experimentIds: experiments, maxResults: Math.min(SCAN_PAGE, scanLimit - read), ...(pageToken ? { pageToken } : {}) });
    read += page.items.length;
    runs.push(...page.items.filter((r) => usesDataset(r, digest, name)));
    pageToken = page.nextPageToken;
    if (!pageToken || page.items.length === 0) return { runs: runs.slice(0, limit), found: runs.length };
  }
  const more = runs.length < limit ? `; runs after the first ${read} were not searched` : '';
  return { runs: runs.slice(0, limit), found: runs.length, note: `dataset ${digest}: ${store.description} cannot search runs by dataset, so its runs were scanned${more}.` };
}
