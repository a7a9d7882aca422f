// A sparkline as inline SVG, built with createElementNS (no markup parsed): the line through each
// bucket's last value, a faint bar per bucket from its min to its max, and a dot on the latest.
import type { Sparkline } from '../../src/protocol/runDetails.ts';
import { formatNumber } from '../../src/shared/format.ts';

const SVG = 'http://www.w3.org/2000/svg';
export const SPARK_WIDTH = 120;
export const SPARK_HEIGHT = 28;
const PAD = 2;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** x by step (buckets may be uneven), y by value over the overall min..max; a flat line sits mid-height. */
export function sparklineGeometry(line: Sparkline): { x: number; y: number; yMin: number; yMax: number }[] {
  const points = line.points;
  if (points.length === 0) return [];
  const first = (points[0] as { step: number }).step;
  const last = (points[points.length - 1] as { step: number }).step;
  const lo = line.min ?? 0;
  const hi = line.max ?? 0;
  const xOf = (step: number, i: number) =>
    PAD + (last === first ? (points.length === 1 ? (SPARK_WIDTH - 2 * PAD) / 2 : (i * (SPARK_WIDTH - 2 * PAD)) / (points.length - 1)) : ((step - first) * (SPARK_WIDTH - 2 * PAD)) / (last - first));
  const yOf = (v: number) => (hi === lo ? SPARK_HEIGHT / 2 : PAD + ((hi - v) * (SPARK_HEIGHT - 2 * PAD)) / (hi - lo));
  return points.map((p, i) => ({ x: round(xOf(p.step, i)), y: round(yOf(p.value)), yMin: round(yOf(p.min)), yMax: round(yOf(p.max)) }));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function renderSparkline(key: string, line: Sparkline): SVGSVGElement {
  const geometry = sparklineGeometry(line);
  const label = line.points.length === 0
    ? `${key}: no finite values to plot`
    : `${key}: ${line.points.length} points, min ${formatNumber(line.min ?? 0)}, max ${formatNumber(line.max ?? 0)}`;
  const root = svg('svg', { class: 'sparkline', viewBox: `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`, width: SPARK_WIDTH, height: SPARK_HEIGHT, role: 'img', 'aria-label': label, 'data-points': geometry.length });
  const title = svg('title', {});
  title.textContent = label;
  root.append(title);
  for (const g of geometry) {
    if (g.yMax !== g.yMin) root.append(svg('line', { class: 'spark-range', x1: g.x, x2: g.x, y1: g.yMax, y2: g.yMin }));
  }
  if (geometry.length > 1) root.append(svg('polyline', { class: 'spark-line', points: geometry.map((g) => `${g.x},${g.y}`).join(' '), fill: 'none' }));
  const end = geometry[geometry.length - 1];
  if (end) root.append(svg('circle', { class: 'spark-dot', cx: end.x, cy: end.y, r: 2 }));
  return root;
}
