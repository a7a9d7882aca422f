// How many buckets a chart asks the host for: at most one per two pixels of its plot, rounded down
// to a step, so that a width guessed while the Charts tab is hidden, a small resize and the host's
// cache agree on the count. Each bucket keeps its min and max (the band: no spike is lost) and its
// last value, so a bucket 2 px wide draws the curve a reader sees at one per pixel, for half the
// cost in every step from the store to the canvas: the read, the transfer, the page's work and the
// stroke of each line.

const BUCKET_STEP = 125;
const PIXELS_PER_BUCKET = 2;

/** The y axis' width left of a chart's plot (metricCharts' axis size). */
export const Y_AXIS_WIDTH = 60;

/** A chart's plot width: uPlot pads the side without an axis by half the y axis' width. */
function plotWidth(width: number): number {
  return width - Y_AXIS_WIDTH - Y_AXIS_WIDTH / 2;
}

export function bucketsForWidth(width: number): number {
  return Math.min(1000, Math.max(BUCKET_STEP, Math.floor(plotWidth(width) / PIXELS_PER_BUCKET / BUCKET_STEP) * BUCKET_STEP));
}

/** The charts' width before they are laid out (the tab hidden): the page's, less the padding. */
export function unlaidChartWidth(): number {
  return document.documentElement.clientWidth - 40 || 1000;
}
