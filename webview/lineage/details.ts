// The side pane: what the selected node is (a dataset's digest, source, schema and profile; a data
// file's path and hashes; a run's id and status…), whether its data changed, and buttons to open
// it or expand it. Text content only; the buttons carry data-action and main.ts handles them.
import { lineageNodeLabel, type LineageNode, type LineageNodeView, type StaleView } from '../../src/protocol/lineage.ts';
import { el } from '../shared/dom.ts';
import { kindText, staleState, type Synthetic } from './display.ts';

const button = (text: string, action: string, node: string, label?: string) =>
  el('button', { text, attrs: { type: 'button', 'data-action': action, 'data-node': node, ...(label ? { 'aria-label': label } : {}) } });

function facts(rows: readonly (readonly [string, string | undefined])[]): HTMLElement {
  const kept = rows.filter((r): r is readonly [string, string] => r[1] !== undefined && r[1] !== '');
  return el('dl', { className: 'facts' }, kept.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v, attrs: { 'data-fact': k.toLowerCase() } })]));
}

/** A JSON text shown indented when it parses, as it is otherwise. */
function jsonBlock(title: string, text: string | undefined): HTMLElement[] {
  if (!text) return [];
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as it is.
  }
  return [el('h3', { text: title }), el('pre', { className: 'json', text: shown.length > 20_000 ? `${shown.slice(0, 20_000)}\n…` : shown, attrs: { 'data-testid': `dataset-${title.toLowerCase()}` } })];
}

function nodeFacts(node: LineageNode): HTMLElement[] {
  switch (node.kind) {
    case 'dataset':
      return [
        facts([['Name', node.name], ['Digest', node.digest], ['Source type', node.sourceType], ['Source', node.source], ['Context', node.anyName ? 'every dataset with this digest' : undefined]]),
        ...jsonBlock('Schema', node.schema),
        ...jsonBlock('Profile', node.profile),
      ];
    case 'data':
      return [facts([['Path', node.absolutePath || node.path], ['Kind', node.entryKind === 'dir' ? 'folder' : 'file'], ['sha256', node.sha256], ['DVC md5', node.dvcMd5?.join(', ')]])];
    case 'run':
      return [facts([['Run', node.runName], ['Run id', node.runId], ['Experiment', node.experimentId], ['Status', node.status], ['Started', node.startTime ? new Date(node.startTime).toISOString() : undefined]])];
    case 'loggedModel':
      return [facts([['Name', node.name], ['Model id', node.modelId], ['Source run', node.sourceRunId]])];
    case 'modelVersion':
      return [facts([['Model', node.name], ['Version', node.version], ['Aliases', node.aliases.map((a) => `@${a}`).join(' ')], ['Source', node.source], ['Run id', node.runId]])];
    case 'alias':
      return [facts([['Model', node.name], ['Alias', `@${node.alias}`], ['Version', node.version]])];
  }
}

/** What Copy puts on the clipboard: the id or URI a user pastes elsewhere. */
export function copyValue(node: LineageNode): string {
  switch (node.kind) {
    case 'dataset':
      return node.digest;
    case 'data':
      return node.absolutePath || node.path;
    case 'run':
      return node.runId;
    case 'loggedModel':
      return `models:/${node.modelId}`;
    case 'modelVersion':
      return `models:/${node.name}/${node.version}`;
    case 'alias':
      return `models:/${node.name}@${node.alias}`;
  }
}

const COPY_TEXT: Record<LineageNode['kind'], string> = {
  dataset: 'Copy Digest',
  data: 'Copy Path',
  run: 'Copy Run ID',
  loggedModel: 'Copy Model URI',
  modelVersion: 'Copy Model URI',
  alias: 'Copy Model URI',
};

const OPEN_TEXT: Partial<Record<LineageNode['kind'], string>> = {
  run: 'Open Run Details',
  loggedModel: 'Open Source Run',
  modelVersion: 'Open Source Run',
  alias: 'Open Source Run',
  data: 'Open File',
};

/**
 * The pane's content for the selected node, group or "+N more" box (nothing selected: a hint).
 * A node other than the focus offers to show the lineage from there (a panel focused on it).
 */
export function renderDetails(node: LineageNodeView | undefined, synthetic: Synthetic | undefined, stale: StaleView | undefined, labelOf: (id: string) => string, focus?: string): HTMLElement[] {
  if (synthetic?.kind === 'group') {
    return [
      el('h2', { text: `${synthetic.members.length} runs` }),
      el('p', { className: 'muted', text: `Runs that read ${labelOf(synthetic.owner)} and nothing else in this graph.` }),
      el('ul', { className: 'members' }, synthetic.members.map((m) => el('li', { text: labelOf(m) }))),
      el('div', { className: 'actions' }, [button('Draw Them', 'open-group', synthetic.id)]),
    ];
  }
  if (synthetic?.kind === 'more') {
    const t = synthetic.truncation;
    return [
      el('h2', { text: 'More neighbours' }),
      el('p', { text: `${labelOf(t.nodeId)}: ${t.shown} shown ${t.side}${t.total !== undefined ? ` of ${t.total}` : ''}.` }),
      el('div', { className: 'actions' }, [button('Show More', 'more', synthetic.id)]),
    ];
  }
  if (!node) return [el('p', { className: 'muted', text: 'Select a node to see what it is. Double-click or Enter opens it; Tab moves between nodes.' })];
  const mark = staleState(node, stale);
  const open = OPEN_TEXT[node.kind];
  return [
    el('p', { className: 'kind muted', text: kindText(node.kind) }),
    el('h2', { text: lineageNodeLabel(node), attrs: { 'data-testid': 'details-title' } }),
    ...(mark ? [el('p', { className: 'stale-note', text: `⚠ ${mark.text[0]?.toUpperCase()}${mark.text.slice(1)}.`, attrs: { 'data-testid': 'details-stale' } })] : []),
    ...nodeFacts(node),
    el('div', { className: 'actions' }, [
      ...(open ? [button(open, 'open', node.id)] : []),
      ...(node.id !== focus ? [button('Show Lineage from Here', 'show-lineage', node.id, `Show the lineage of ${lineageNodeLabel(node)} in a panel of its own`)] : []),
      button('Expand Upstream', 'expand-upstream', node.id, `Show one more step upstream of ${lineageNodeLabel(node)}`),
      button('Expand Downstream', 'expand-downstream', node.id, `Show one more step downstream of ${lineageNodeLabel(node)}`),
      button(COPY_TEXT[node.kind], 'copy', node.id),
      // Data: only files the host marked as tabular (a model.pkl cannot be profiled).
      ...((node.kind === 'data' && node.tabular) || node.kind === 'run' ? [button('Compare with Training Data', 'compare-data', node.id, `Drift of ${lineageNodeLabel(node)} against a run's or a model alias's training data`)] : []),
    ]),
  ];
}
