// Feast Apply and Materialize Incremental as tracked runs: what the host launches (the shipped
// script of feastRunSource.ts with its arguments), the run's name and tags, and the end date a
// user types. The script reports the rest (params and tags) through `labbook:` lines.

/** The tag every Feast run carries: its operation. */
export const FEAST_OPERATION_TAG = 'labbook.feast.operation';
/** The tag with the repository folder the run acted on. */
export const FEAST_REPO_TAG = 'labbook.feast.repo';

export type FeastRunRequest =
  | { readonly operation: 'apply'; readonly repo: string }
  | { readonly operation: 'materialize-incremental'; readonly repo: string; readonly endDate: Date; readonly featureViews: readonly string[] };

/** The shipped script's arguments for a request. */
export function feastRunArgs(request: FeastRunRequest): string[] {
  if (request.operation === 'apply') return ['apply', request.repo];
  return ['materialize-incremental', request.repo, isoSeconds(request.endDate), ...request.featureViews];
}

/** `feast apply churn`, `feast materialize churn`: the name of the run in the Experiments view. */
export function feastRunName(request: FeastRunRequest, project: string): string {
  return `feast ${request.operation === 'apply' ? 'apply' : 'materialize'} ${project}`;
}

/** The tags the run is created with (the script adds the rest as it goes). */
export function feastRunTags(request: FeastRunRequest): Record<string, string> {
  return { [FEAST_OPERATION_TAG]: request.operation, [FEAST_REPO_TAG]: request.repo };
}

/** A moment as ISO 8601 in UTC to the second: `2026-12-04T10:00:00Z`. */
export function isoSeconds(moment: Date): string {
  return moment.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The end date a user typed for Materialize Incremental: ISO 8601 (a date, or a date and time; no
 * zone means UTC, as Feast reads it). A string is the reason it was refused.
 */
export function parseEndDate(text: string, now: Date = new Date()): Date | string {
  const trimmed = text.trim();
  if (!trimmed) return 'Give the end of the interval to materialize, such as 2026-12-04T10:00:00Z.';
  if (trimmed.toLowerCase() === 'now') return new Date(Math.floor(now.getTime() / 1000) * 1000);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(trimmed);
  if (!match) return `"${trimmed}" is not an ISO 8601 date and time, such as 2026-12-04T10:00:00Z.`;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = match;
  const offset = zone === undefined || zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const moment = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  if (Number.isNaN(moment.getTime()) || (offset === 'Z' && moment.getUTCDate() !== Number(d))) return `"${trimmed}" is not a valid date.`;
  if (moment.getTime() > now.getTime() + 60_000) return `${isoSeconds(moment)} is in the future: materializing up to it would leave a gap the next run skips over.`;
  return moment;
}
