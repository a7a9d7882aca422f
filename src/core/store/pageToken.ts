import { invalidParameter } from './errors.ts';

/** Opaque page tokens: base64url of `{"offset": n}`. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  // Node's decoder skips characters it does not know, so check the alphabet first.
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) throw invalidParameter('Invalid page token.');
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isSafeInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('Invalid page token.');
}

/** Checks max_results against MLflow's bounds and applies its default. */
export function pageSize(maxResults: number | undefined, defaultSize: number, limit: number): number {
  if (maxResults === undefined) return defaultSize;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limit) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${limit}, and a positive integer.`);
  }
  return maxResults;
}
