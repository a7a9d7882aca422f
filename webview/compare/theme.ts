// Colours come from the VS Code theme (CSS variables on the body), read at draw time; charts are
// redrawn when the theme changes (VS Code swaps the body's vscode-light/dark/high-contrast class).

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export interface ChartTheme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  readonly fontFamily: string;
}

export function chartTheme(): ChartTheme {
  const dark = !document.body.classList.contains('vscode-light');
  return {
    foreground: cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', dark ? '#cccccc' : '#333333')),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    grid: cssVar('--vscode-charts-lines', dark ? 'rgba(204, 204, 204, 0.25)' : 'rgba(51, 51, 51, 0.2)'),
    background: cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    fontFamily: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

const THEME_COLOURS: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

/** One colour per run: the theme's chart colours first, then hues spread by the golden angle. */
export function runColours(count: number): string[] {
  const base = THEME_COLOURS.map(([name, fallback]) => cssVar(name, fallback));
  const dark = !document.body.classList.contains('vscode-light');
  return Array.from({ length: count }, (_, i) => base[i] ?? `hsl(${Math.round((i * 137.508) % 360)}, 65%, ${dark ? 62 : 42}%)`);
}

/** The colour with an alpha, whatever CSS form the theme gave (the canvas parses it). */
export function withAlpha(colour: string, alpha: number): string {
  const ctx = scratch();
  ctx.fillStyle = '#000';
  ctx.fillStyle = colour;
  const normalised = ctx.fillStyle; // #rrggbb or rgba(…)
  if (normalised.startsWith('#')) {
    const n = Number.parseInt(normalised.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  return normalised.replace(/^rgba?\(([^,]+),([^,]+),([^,)]+).*$/, `rgba($1,$2,$3, ${alpha})`);
}

let scratchCtx: CanvasRenderingContext2D | undefined;
function scratch(): CanvasRenderingContext2D {
  scratchCtx ??= document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
  return scratchCtx;
}

/** Calls `redraw` whenever VS Code switches the theme. */
export function onThemeChange(redraw: () => void): void {
  let last = document.body.className;
  new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    redraw();
  }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}
