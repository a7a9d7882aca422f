// The panel's text sections: steps (with their cells and the tag edits), warnings with cell
// locations, hints, and the files with the action a write takes. Everything is text content; the
// buttons carry data-action attributes and one listener in main.ts handles them all.
import type { PipelineFileView, PipelinePlanView, PipelineStepView, PipelineWarningView, WriteSummary } from '../../src/protocol/pipeline.ts';
import { el } from '../shared/dom.ts';

const MODE_TEXT: Record<PipelinePlanView['mode'], string> = {
  tags: 'cell tags (step:…)',
  markers: '# %% [step] markers',
  headings: '## headings',
  single: 'none found: one step',
};

export function summaryText(plan: PipelinePlanView): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return `${n(plan.steps.length, 'step', 'steps')} · ${n(plan.edges.length, 'dependency', 'dependencies')} · ${n(plan.warnings.length, 'warning', 'warnings')} · steps from ${MODE_TEXT[plan.mode]}`;
}

function button(text: string, attrs: Record<string, string>, className = ''): HTMLButtonElement {
  return el('button', { className, text, attrs: { type: 'button', ...attrs } });
}

function facts(step: PipelineStepView): HTMLElement {
  const rows: [string, string][] = [
    ['Inputs', step.inputs.length ? step.inputs.map((i) => `${i.name} ← ${i.from}`).join(', ') : '—'],
    ['Outputs', step.outputs.length ? step.outputs.map((o) => (o.kind === 'unknown' ? o.name : `${o.name} (${o.kind})`)).join(', ') : '—'],
    ['Parameters', step.params.length ? step.params.join(', ') : '—'],
  ];
  if (step.prev.length) rows.push(['After', step.prev.join(', ')]);
  return el('dl', { className: 'facts' }, rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v, attrs: { 'data-fact': k.toLowerCase() } })]));
}

function renderStep(step: PipelineStepView, position: number): HTMLElement {
  const head = el('div', { className: 'step-head' }, [
    el('h3', { className: 'step-name', text: step.name, attrs: { id: `step-title-${position}` } }),
    ...(step.title !== step.name ? [el('span', { className: 'muted step-title', text: `from “${step.title}”` })] : []),
    el('span', { className: 'step-actions' }, [
      button('Rename…', { 'data-action': 'rename', 'data-step': step.name, 'aria-label': `Rename step ${step.name}` }),
      button('Merge into previous', { 'data-action': 'merge', 'data-step': step.name, 'aria-label': `Merge step ${step.name} into the previous step`, ...(position === 0 ? { disabled: '' } : {}) }),
    ]),
  ]);
  const cells = el(
    'ol',
    { className: 'step-cells', attrs: { 'aria-label': `Cells of ${step.name}` } },
    step.cells.map((cell, i) =>
      el('li', { className: 'step-cell', attrs: { 'data-cell': String(cell.index) } }, [
        el('div', { className: 'cell-row' }, [
          button(`Cell ${cell.index + 1}`, { 'data-action': 'reveal', 'data-cell': String(cell.index), 'aria-label': `Show cell ${cell.index + 1} in the notebook` }, 'link'),
          ...(i > 0 ? [button('Split here', { 'data-action': 'split', 'data-cell': String(cell.index), 'aria-label': `Start a new step at cell ${cell.index + 1}` })] : []),
        ]),
        el('pre', { className: 'cell-preview', text: cell.preview || '(empty)' }),
      ]),
    ),
  );
  return el('article', { className: 'step', attrs: { 'data-step': step.name, 'aria-labelledby': `step-title-${position}`, tabindex: '-1' } }, [head, facts(step), cells]);
}

export function renderSteps(plan: PipelinePlanView): HTMLElement[] {
  return plan.steps.map(renderStep);
}

function warningLocation(w: PipelineWarningView): string {
  if (w.cellIndex === undefined) return '';
  return `Cell ${w.cellIndex + 1}${w.line !== undefined ? `, line ${w.line}` : ''}`;
}

export function renderWarnings(plan: PipelinePlanView): HTMLElement[] {
  if (plan.warnings.length === 0) return [el('li', { className: 'muted', text: 'No warnings.' })];
  return plan.warnings.map((w) => {
    const where = warningLocation(w);
    return el('li', { className: `warning kind-${w.kind}`, attrs: { 'data-kind': w.kind } }, [
      ...(where
        ? [button(where, { 'data-action': 'reveal', 'data-cell': String(w.cellIndex), ...(w.line !== undefined ? { 'data-line': String(w.line) } : {}), 'aria-label': `Show ${where.toLowerCase()} in the notebook` }, 'link location')]
        : []),
      el('span', { className: 'message', text: w.message }),
    ]);
  });
}

export function renderHints(plan: PipelinePlanView): HTMLElement[] {
  return plan.hints.map((h) => el('p', { className: 'hint', text: h }));
}

const ACTION_TEXT: Record<PipelineFileView['action'], string> = {
  create: 'create',
  update: 'overwrite',
  unchanged: 'unchanged',
  conflict: 'conflict — edited, kept',
  remove: 'remove',
};

export function renderFiles(plan: PipelinePlanView): HTMLElement {
  const rows = plan.files.map((f) =>
    el('tr', { className: `file action-${f.action}`, attrs: { 'data-path': f.path, 'data-action-kind': f.action } }, [
      el('td', { className: 'path', text: f.path }),
      el('td', {}, [el('span', { className: `action badge action-${f.action}`, text: ACTION_TEXT[f.action] })]),
      el('td', { className: 'muted', text: f.conflict ?? '' }),
    ]),
  );
  return el('table', { className: 'files', attrs: { 'data-testid': 'files' } }, [
    el('thead', {}, [el('tr', {}, [el('th', { text: 'File', attrs: { scope: 'col' } }), el('th', { text: 'Action', attrs: { scope: 'col' } }), el('th', { text: 'Note', attrs: { scope: 'col' } })])]),
    el('tbody', {}, rows),
  ]);
}

/** The call-out above the files when some will be kept (or forced). */
export function conflictNotice(plan: PipelinePlanView, force: boolean): string {
  const kept = plan.conflicts.filter((c) => c.reason !== 'editedStale').length;
  const stale = plan.conflicts.length - kept;
  const parts: string[] = [];
  if (kept) parts.push(force ? `${kept} edited file${kept === 1 ? '' : 's'} will be overwritten (force).` : `${kept} file${kept === 1 ? ' was' : 's were'} edited since the last export and will be kept; check “Force overwrite edited files” to replace ${kept === 1 ? 'it' : 'them'}.`);
  if (stale) parts.push(`${stale} edited file${stale === 1 ? ' is' : 's are'} no longer generated and will be left in place.`);
  return parts.join(' ');
}

export function writeSummaryText(summary: WriteSummary): string {
  const parts = [`Wrote ${summary.written.length} file${summary.written.length === 1 ? '' : 's'} to ${summary.outDir}`, `${summary.unchanged.length} unchanged`];
  if (summary.removed.length) parts.push(`${summary.removed.length} removed`);
  if (summary.kept.length) parts.push(`kept ${summary.kept.length} edited: ${summary.kept.join(', ')}`);
  return `${parts.join('; ')}.`;
}
