// Every active experiment of a store, for searches over all of them (a file's runs, a dataset
// digest's runs): read a page of 1,000 at a time, bounded.
import type { ReadableStore } from './trackingStore.ts';

/** Pages read at most (100,000 experiments). */
const MAX_PAGES = 100;

export async function activeExperimentIds(store: Pick<ReadableStore, 'searchExperiments'>): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const found = await store.searchExperiments({ maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    ids.push(...found.items.map((e) => e.experimentId));
    pageToken = found.nextPageToken;
    if (!pageToken) break;
  }
  return ids;
}
