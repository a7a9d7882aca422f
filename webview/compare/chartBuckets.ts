// How many buckets a chart asks the host for: its width rounded up to a step, so that a width
// guessed while the Charts tab is hidden, a small resize and the host's cache agree on the count.

const BUCKET_STEP = 250;

export function bucketsForWidth(width: number): number {
  return Math.min(2000, Math.ceil(width / BUCKET_STEP) * BUCKET_STEP);
}

/** The charts' width before they are laid out (the tab hidden): the page's, less the padding. */
export function unlaidChartWidth(): number {
  return document.documentElement.clientWidth - 40 || 1000;
}
