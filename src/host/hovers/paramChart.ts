// The tiny value → metric chart of a param's hover, as SVG text. Hovers run no script and load no
// styles, so it is a self-contained image (embedded as a data: URI): fixed colours readable on light
// and dark themes, every label escaped. Plain functions (no `vscode`), unit-tested in Node.
import type { ParamValueRow } from '../../core/runsInCode/paramValues.ts';
import { formatNumber } from '../../shared/format.ts';

const WIDTH = 240;
const HEIGHT = 96;
const PAD = { left: 44, right: 10, top: 8, bottom: 20 };

function xmlText(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Short enough for an axis label. */
function label(text: string): string {
  return xmlText(text.length > 12 ? `${text.slice(0, 11)}…` : text);
}

/**
 * The chart of the rows that have a metric: numeric values on a linear axis (logarithmic when all
 * are positive and span 100× or more), other values in their sorted order; the best point
 * stands out. Undefined with fewer than two measured values.
 */
export function paramChartSvg(rows: readonly ParamValueRow[], metric: string): string | undefined {
  const measured = rows.filter((r): r is ParamValueRow & { metric: number } => r.metric !== undefined && Number.isFinite(r.metric));
  if (measured.length < 2) return undefined;
  const numbers = measured.map((r) => Number(r.value));
  const numeric = measured.every((r) => r.value.trim() !== '') && numbers.every(Number.isFinite);
  const minN = Math.min(...numbers);
  const maxN = Math.max(...numbers);
  const log = numeric && minN > 0 && maxN / minN >= 100;
  const points = measured
    .map((r, i) => ({ row: r, x: numeric ? (log ? Math.log10(numbers[i] as number) : (numbers[i] as number)) : 0 }))
    .sort((a, b) => (numeric ? a.x - b.x : a.row.value.localeCompare(b.row.value)));
  if (!numeric) points.forEach((p, i) => (p.x = i));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.row.metric);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (x1 === x0 ? plotW / 2 : ((x - x0) / (x1 - x0)) * plotW);
  const sy = (y: number) => PAD.top + (y1 === y0 ? plotH / 2 : (1 - (y - y0) / (y1 - y0)) * plotH);
  const best = measured[0];
  const coords = points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.row.metric).toFixed(1)}`);
  const circles = points.map((p) => {
    const isBest = p.row === best;
    return `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.row.metric).toFixed(1)}" r="${isBest ? 4 : 3}" fill="${isBest ? '#e8912d' : '#3794ff'}"/>`;
  });
  const first = points[0]?.row.value ?? '';
  const last = points[points.length - 1]?.row.value ?? '';
  const axis = '#8a8a8a';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="9">`,
    `<title>${xmlText(`value → ${metric}`)}</title>`,
    `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="${axis}"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" stroke="${axis}"/>`,
    `<text x="${PAD.left - 3}" y="${PAD.top + 7}" text-anchor="end" fill="${axis}">${xmlText(formatNumber(y1))}</text>`,
    `<text x="${PAD.left - 3}" y="${PAD.top + plotH}" text-anchor="end" fill="${axis}">${xmlText(formatNumber(y0))}</text>`,
    `<text x="${PAD.left}" y="${HEIGHT - 5}" fill="${axis}">${label(first)}</text>`,
    `<text x="${PAD.left + plotW}" y="${HEIGHT - 5}" text-anchor="end" fill="${axis}">${label(last)}${log ? ' (log)' : ''}</text>`,
    numeric ? `<polyline points="${coords.join(' ')}" fill="none" stroke="#3794ff" stroke-width="1.5"/>` : '',
    ...circles,
    '</svg>',
  ].join('');
}

/** The chart as an image address for Markdown. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
