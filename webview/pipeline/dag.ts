// The step DAG: an ECharts graph (core build, canvas renderer, tooltips drawn in the canvas as rich
// text, not HTML) at positions from layout.ts, and the same graph as text lists for screen readers.
import { GraphChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { PipelinePlanView } from '../../src/protocol/pipeline.ts';
import { el } from '../shared/dom.ts';
import { layerSteps } from './layout.ts';

echarts.use([GraphChart, GridComponent, TooltipComponent, CanvasRenderer]);

const ROW_GAP = 80;
/** A round node: ECharts ends edges at the symbol's radius, so arrows land on its rim (labels go below). */
const NODE_SIZE = 24;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function theme() {
  const dark = !document.body.classList.contains('vscode-light');
  return {
    foreground: cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', dark ? '#cccccc' : '#333333')),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    node: cssVar('--vscode-button-secondaryBackground', dark ? '#3a3d41' : '#e5e5e5'),
    accent: cssVar('--vscode-focusBorder', '#007fd4'),
    background: cssVar('--vscode-editorWidget-background', dark ? '#252526' : '#f3f3f3'),
    fontFamily: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

export interface DagView {
  readonly root: HTMLElement;
  show(plan: PipelinePlanView): void;
  /** Redraws with the current theme colours. */
  redraw(): void;
  resize(): void;
}

const canvasText = (text: string) => text.replace(/[{]/g, '(').replace(/[}]/g, ')');

const shorten = (names: readonly string[], max = 4) => (names.length > max ? `${names.slice(0, max).join(', ')}, … (${names.length})` : names.join(', '));

export function createDag(onSelect: (step: string) => void): DagView {
  const box = el('div', { className: 'dag-box', attrs: { 'aria-hidden': 'true' } });
  const figure = el('figure', { className: 'dag', attrs: { 'data-testid': 'dag', role: 'img' } }, [box]);
  const stepList = el('ol', { className: 'dag-steps', attrs: { 'data-testid': 'dag-steps', 'aria-label': 'Steps in run order' } });
  const edgeList = el('ul', { className: 'dag-edges', attrs: { 'data-testid': 'dag-edges', 'aria-label': 'Dependencies between steps' } });
  const text = el('div', { className: 'dag-text' }, [
    el('div', {}, [el('h3', { text: 'Steps' }), stepList]),
    el('div', {}, [el('h3', { text: 'Dependencies' }), edgeList]),
  ]);
  const root = el('section', { className: 'dag-section', attrs: { 'aria-labelledby': 'dag-heading' } }, [el('h2', { text: 'Pipeline graph', attrs: { id: 'dag-heading' } }), figure, text]);
  let chart: echarts.ECharts | undefined;
  let current: PipelinePlanView | undefined;

  const draw = () => {
    const plan = current;
    if (!plan) return;
    const colours = theme();
    const laid = layerSteps(plan.steps.map((s) => s.name), plan.edges);
    const layerOf = new Map(laid.map((n) => [n.name, n.layer]));
    const rows = Math.max(1, ...laid.map((n) => n.layerSize));
    const bends = plan.edges.some((e) => (layerOf.get(e.to) ?? 0) - (layerOf.get(e.from) ?? 0) > 1);
    // Room above for the edges that bend over skipped layers, below for the labels.
    const top = bends ? 80 : 30;
    box.style.height = `${Math.max(140, (rows - 1) * ROW_GAP + top + 60)}px`;
    const layers = Math.max(0, ...laid.map((n) => n.layer));
    const half = (rows - 1) / 2;
    // Labels get the room between two layers (truncated beyond; the full name is in the tooltip and the lists).
    const labelWidth = Math.max(60, Math.min(220, ((box.clientWidth || 800) - 140) / Math.max(1, layers) - 16));
    const stepsByName = new Map(plan.steps.map((s) => [s.name, s]));
    const tips = new Map<string, string>();
    const nodes = laid.map((n) => {
      const step = stepsByName.get(n.name);
      const detail = [
        `${n.name}${step && step.title !== n.name ? ` (${step.title})` : ''}`,
        `cells ${step?.cells.map((c) => c.index + 1).join(', ') ?? ''}`,
        step?.inputs.length ? `in: ${shorten(step.inputs.map((i) => i.name))}` : '',
        step?.outputs.length ? `out: ${shorten(step.outputs.map((o) => o.name))}` : '',
        step?.params.length ? `params: ${shorten(step.params)}` : '',
      ].filter(Boolean);
      tips.set(`node:${n.name}`, detail.join('\n'));
      // Data coordinates on hidden axes: a layer per unit across, a row per unit down.
      return { name: n.name, value: [n.layer, n.row - (n.layerSize - 1) / 2] };
    });
    const links = plan.edges.map((e) => {
      const span = (layerOf.get(e.to) ?? 0) - (layerOf.get(e.from) ?? 0);
      tips.set(`edge:${e.from}>${e.to}`, `${e.from} → ${e.to}\n${e.names.length ? shorten(e.names, 8) : 'order only (prev: tag)'}`);
      return {
        source: e.from,
        target: e.to,
        // An edge that skips layers bends, so it does not run through the steps in between.
        lineStyle: { curveness: span > 1 ? 0.15 : 0, type: e.names.length ? 'solid' : 'dashed' },
      };
    });
    chart ??= echarts.init(box, undefined, { renderer: 'canvas' });
    chart.setOption(
      {
        backgroundColor: 'transparent',
        textStyle: { color: colours.foreground, fontFamily: colours.fontFamily },
        tooltip: {
          renderMode: 'richText',
          // Plain text in the canvas; braces would read as ECharts rich-text markup.
          formatter: (p: { dataType?: string; name?: string; data?: { source?: string; target?: string } }) =>
            canvasText(tips.get(p.dataType === 'edge' ? `edge:${p.data?.source ?? ''}>${p.data?.target ?? ''}` : `node:${p.name ?? ''}`) ?? ''),
          backgroundColor: colours.background, borderColor: colours.muted, textStyle: { color: colours.foreground } },
        animation: false,
        grid: { top, bottom: 40, left: 70, right: 70 },
        xAxis: { type: 'value', show: false, min: layers === 0 ? -1 : -0.05 * layers, max: layers === 0 ? 1 : layers * 1.05 },
        yAxis: { type: 'value', show: false, inverse: true, min: -half - 0.2, max: half + 0.2 },
        series: [
          {
            type: 'graph',
            layout: 'none',
            coordinateSystem: 'cartesian2d',
            symbol: 'circle',
            symbolSize: NODE_SIZE,
            itemStyle: { color: colours.node, borderColor: colours.accent, borderWidth: 2 },
            label: { show: true, position: 'bottom', distance: 6, color: colours.foreground, fontFamily: colours.fontFamily, overflow: 'truncate', width: labelWidth },
            edgeSymbol: ['none', 'arrow'],
            edgeSymbolSize: 9,
            lineStyle: { color: colours.muted, width: 1.5, opacity: 0.9 },
            emphasis: { focus: 'adjacency', lineStyle: { width: 2.5 } },
            data: nodes,
            links,
          },
        ],
      },
      { notMerge: true },
    );
  };

  return {
    root,
    show(plan) {
      current = plan;
      figure.setAttribute('aria-label', `Pipeline graph: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}, ${plan.edges.length} dependenc${plan.edges.length === 1 ? 'y' : 'ies'}`);
      figure.dataset.nodes = JSON.stringify(plan.steps.map((s) => s.name));
      figure.dataset.edges = JSON.stringify(plan.edges.map((e) => `${e.from}->${e.to}`));
      stepList.replaceChildren(
        ...plan.steps.map((s) =>
          el('li', {}, [el('button', { className: 'link', text: s.name, attrs: { type: 'button', 'data-action': 'select-step', 'data-step': s.name } })]),
        ),
      );
      edgeList.replaceChildren(
        ...(plan.edges.length
          ? plan.edges.map((e) => el('li', { text: `${e.from} → ${e.to}${e.names.length ? `: ${e.names.join(', ')}` : ' (order only)'}` }))
          : [el('li', { className: 'muted', text: 'None: the steps share no values.' })]),
      );
      draw();
      chart?.off('click');
      chart?.on('click', (params) => {
        if (params.dataType === 'node' && typeof params.name === 'string') onSelect(params.name);
      });
    },
    redraw: draw,
    resize: () => chart?.resize(),
  };
}
