// The step DAG: the shared SVG graph view (layered layout by dagre, pan and zoom, fitted to the
// panel) with each step's cells, inputs, outputs and parameters on hover, and the same graph as
// text lists for screen readers.
import type { PipelinePlanView } from '../../src/protocol/pipeline.ts';
import { el } from '../shared/dom.ts';
import type { ViewTransform } from '../shared/graphLayout.ts';
import { createGraphView } from '../shared/graphView.ts';

export interface DagView {
  readonly root: HTMLElement;
  /** Shows the plan; `restore` is a zoom and pan kept from before a reload. */
  show(plan: PipelinePlanView, restore?: ViewTransform): void;
  /** Measures and lays out again (the theme's font may have changed). */
  redraw(): void;
}

const shorten = (names: readonly string[], max = 4) => (names.length > max ? `${names.slice(0, max).join(', ')}, … (${names.length})` : names.join(', '));

function stepTitle(step: PipelinePlanView['steps'][number]): string {
  return [
    `${step.name}${step.title !== step.name ? ` (${step.title})` : ''}`,
    `cells ${step.cells.map((c) => c.index + 1).join(', ')}`,
    step.inputs.length ? `in: ${shorten(step.inputs.map((i) => i.name))}` : '',
    step.outputs.length ? `out: ${shorten(step.outputs.map((o) => o.name))}` : '',
    step.params.length ? `params: ${shorten(step.params)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function createDag(onSelect: (step: string) => void, onViewChange: (view: ViewTransform | undefined) => void): DagView {
  const graph = createGraphView({ label: 'Pipeline graph', onActivate: onSelect, onViewChange });
  const figure = el('figure', { className: 'dag', attrs: { 'data-testid': 'dag' } }, [graph.root]);
  const stepList = el('ol', { className: 'dag-steps', attrs: { 'data-testid': 'dag-steps', 'aria-label': 'Steps in run order' } });
  const edgeList = el('ul', { className: 'dag-edges', attrs: { 'data-testid': 'dag-edges', 'aria-label': 'Dependencies between steps' } });
  const text = el('div', { className: 'dag-text' }, [
    el('div', {}, [el('h3', { text: 'Steps' }), stepList]),
    el('div', {}, [el('h3', { text: 'Dependencies' }), edgeList]),
  ]);
  const root = el('section', { className: 'dag-section', attrs: { 'aria-labelledby': 'dag-heading' } }, [el('h2', { text: 'Pipeline graph', attrs: { id: 'dag-heading' } }), figure, text]);

  return {
    root,
    show(plan, restore) {
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
      graph.show(
        plan.steps.map((s) => ({ id: s.name, label: s.name, title: stepTitle(s) })),
        plan.edges.map((e) => ({ from: e.from, to: e.to, title: `${e.from} → ${e.to}\n${e.names.length ? shorten(e.names, 8) : 'order only (prev: tag)'}`, dashed: e.names.length === 0 })),
        restore,
      );
    },
    redraw: () => graph.redraw(),
  };
}
