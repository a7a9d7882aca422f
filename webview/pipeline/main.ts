// The Pipeline export preview: asks the host for the plan of a notebook against an output folder,
// shows the steps as a DAG and as text, the warnings, hints and files; writes the package and edits
// steps (the host retags the cells and answers with the new plan).
import type { PipelineEvent, PipelinePlanView, PipelineRequests, PipelineState } from '../../src/protocol/pipeline.ts';
import type { MethodOf, ParamsOf } from '../../src/protocol/requests.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { el } from '../shared/dom.ts';
import { isViewTransform, type ViewTransform } from '../shared/graphLayout.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { createDag } from './dag.ts';
import { conflictNotice, renderFiles, renderHints, renderSteps, renderWarnings, summaryText, writeSummaryText } from './views.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

/** Above this, the plan is not kept in the webview state. */
const MAX_SAVED_PLAN_CHARS = 500_000;

const api = vscodeApi<Partial<PipelineState>>();
const rpc = new RpcClient<PipelineRequests, PipelineEvent>(api, window, 120_000);
const app = document.getElementById('app') as HTMLElement;
const saved = api.getState();
let plan: PipelinePlanView | null = saved?.plan ?? null;
let notebookPath = typeof saved?.notebookPath === 'string' ? saved.notebookPath : '';
/** The graph's zoom and pan when the user set them; undefined while it fits the panel. */
let graphView: ViewTransform | undefined = isViewTransform(saved?.graphView) ? saved.graphView : undefined;
let loadSeq = 0;

// ── Header and controls ─────────────────────────────────────────────────────────────────────
const title = el('h1', { className: 'title', text: 'Pipeline export', attrs: { 'data-testid': 'title' } });
const summary = el('p', { className: 'muted', attrs: { 'data-testid': 'summary' } });
const alertBox = el('div', { className: 'error alert', attrs: { role: 'alert', 'data-testid': 'alert' } });
const outDir = el('input', { attrs: { type: 'text', id: 'out-dir', spellcheck: 'false', 'data-testid': 'out-dir', placeholder: 'pipelines/<notebook>' } });
outDir.value = typeof saved?.outDir === 'string' ? saved.outDir : '';
const browse = el('button', { text: 'Browse…', attrs: { type: 'button', 'data-action': 'browse' } });
const force = el('input', { attrs: { type: 'checkbox', id: 'force', 'data-testid': 'force' } });
force.checked = saved?.force === true;
const write = el('button', { className: 'primary', text: 'Write Package', attrs: { type: 'button', 'data-action': 'write', 'data-testid': 'write' } });
const status = el('p', { className: 'status', attrs: { role: 'status', 'data-testid': 'status' } });
const afterWrite = el('span', { className: 'after-write', attrs: { hidden: '' } }, [
  el('button', { text: 'Open README', attrs: { type: 'button', 'data-action': 'open-readme' } }),
  el('button', { text: 'Reveal in Explorer', attrs: { type: 'button', 'data-action': 'reveal-folder' } }),
]);
const controls = el('div', { className: 'controls' }, [
  el('label', { text: 'Output folder', attrs: { for: 'out-dir' } }),
  outDir,
  browse,
  el('label', { className: 'toggle' }, [force, document.createTextNode(' Force overwrite edited files')]),
  write,
]);
const header = el('header', { className: 'panel-head' }, [title, summary, controls, el('div', { className: 'status-row' }, [status, afterWrite]), alertBox]);

// ── Sections ────────────────────────────────────────────────────────────────────────────────
const dag = createDag(
  (step) => focusStep(step),
  (view) => {
    graphView = view;
    save();
  },
);
const hints = el('div', { className: 'hints', attrs: { 'data-testid': 'hints' } });
const steps = el('div', { className: 'steps', attrs: { 'data-testid': 'steps' } });
const warnings = el('ul', { className: 'warnings', attrs: { 'data-testid': 'warnings' } });
const conflicts = el('p', { className: 'conflicts', attrs: { 'data-testid': 'conflicts' } });
const files = el('div', { className: 'files-box' });
const body = el('div', { className: 'plan' }, [
  hints,
  dag.root,
  el('section', { attrs: { 'aria-labelledby': 'steps-heading' } }, [el('h2', { text: 'Steps', attrs: { id: 'steps-heading' } }), steps]),
  el('section', { attrs: { 'aria-labelledby': 'warnings-heading' } }, [el('h2', { text: 'Warnings', attrs: { id: 'warnings-heading' } }), warnings]),
  el('section', { attrs: { 'aria-labelledby': 'files-heading' } }, [el('h2', { text: 'Files', attrs: { id: 'files-heading' } }), conflicts, files]),
]);
app.replaceChildren(header, body);

function save(): void {
  const state: Partial<PipelineState> = {
    notebookPath,
    outDir: outDir.value,
    force: force.checked,
    ...(plan && JSON.stringify(plan).length <= MAX_SAVED_PLAN_CHARS ? { plan } : {}),
    ...(graphView ? { graphView } : {}),
  };
  api.setState(state);
}

function show(next: PipelinePlanView, restoreView?: ViewTransform): void {
  plan = next;
  notebookPath = next.notebookPath;
  if (outDir.value.trim() === '') outDir.value = next.outDir;
  title.textContent = `Pipeline export: ${next.notebookName}`;
  summary.textContent = summaryText(next);
  hints.replaceChildren(...renderHints(next));
  steps.replaceChildren(...renderSteps(next));
  warnings.replaceChildren(...renderWarnings(next));
  files.replaceChildren(renderFiles(next));
  showConflicts();
  body.hidden = false;
  dag.show(next, restoreView);
}

function showConflicts(): void {
  conflicts.textContent = plan ? conflictNotice(plan, force.checked) : '';
  conflicts.hidden = conflicts.textContent === '';
}

function failed(what: string, err: unknown): void {
  alertBox.textContent = `${what}: ${errorMessage(err)}`;
}

async function load(): Promise<void> {
  const seq = ++loadSeq;
  app.setAttribute('aria-busy', 'true');
  try {
    const next = await rpc.request('getPlan', { outDir: outDir.value });
    if (seq !== loadSeq) return;
    alertBox.textContent = '';
    show(next);
    save();
  } catch (err) {
    if (seq !== loadSeq) return;
    failed('Could not plan the export', err);
    // A notebook that cannot be read has no plan: do not show the last one as if it were current.
    plan = null;
    body.hidden = true;
    save();
  }
  app.setAttribute('aria-busy', 'false');
}

/** Runs an edit request; its answer is the new plan (null when the user cancelled a prompt). */
async function edit(what: string, request: () => Promise<PipelinePlanView | null>): Promise<void> {
  app.setAttribute('aria-busy', 'true');
  try {
    const next = await request();
    alertBox.textContent = '';
    if (next) {
      show(next);
      save();
    }
  } catch (err) {
    failed(what, err);
  }
  app.setAttribute('aria-busy', 'false');
}

async function writePackage(): Promise<void> {
  write.disabled = true;
  status.textContent = 'Writing the package…';
  afterWrite.hidden = true;
  try {
    const result = await rpc.request('writePackage', { outDir: outDir.value, force: force.checked });
    alertBox.textContent = '';
    status.textContent = writeSummaryText(result);
    afterWrite.hidden = false;
    await load();
  } catch (err) {
    status.textContent = '';
    failed('Could not write the package', err);
  } finally {
    write.disabled = false;
  }
}

function focusStep(name: string): void {
  const card = [...steps.querySelectorAll<HTMLElement>('article.step')].find((a) => a.dataset.step === name);
  if (!card) return;
  card.scrollIntoView({ block: 'start' });
  card.focus({ preventScroll: true });
}

const request = <K extends MethodOf<PipelineRequests>>(what: string, method: K, params: ParamsOf<PipelineRequests, K>) =>
  rpc.request(method, params).then(
    () => undefined,
    (err: unknown) => failed(what, err),
  );

document.addEventListener('click', (e) => {
  const target = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
  if (!target || target.disabled) return;
  const action = target.dataset.action;
  const step = target.dataset.step ?? '';
  const cell = Number(target.dataset.cell);
  switch (action) {
    case 'write':
      void writePackage();
      return;
    case 'browse':
      void rpc.request('chooseFolder', { outDir: outDir.value }).then(
        (picked) => {
          if (!picked) return;
          outDir.value = picked.outDir;
          save();
          void load();
        },
        (err: unknown) => failed('Could not choose a folder', err),
      );
      return;
    case 'open-readme':
      void request('Could not open the README', 'openFile', { outDir: outDir.value, path: 'README.md' });
      return;
    case 'reveal-folder':
      void request('Could not reveal the folder', 'revealFolder', { outDir: outDir.value });
      return;
    case 'reveal': {
      const line = target.dataset.line === undefined ? undefined : Number(target.dataset.line);
      void request('Could not show the cell', 'revealCell', line === undefined ? { cellIndex: cell } : { cellIndex: cell, line });
      return;
    }
    case 'rename':
      void edit(`Could not rename ${step}`, () => rpc.request('renameStep', { outDir: outDir.value, step }));
      return;
    case 'merge':
      void edit(`Could not merge ${step}`, () => rpc.request('mergeStep', { outDir: outDir.value, step }));
      return;
    case 'split':
      void edit(`Could not split at cell ${cell + 1}`, () => rpc.request('splitAt', { outDir: outDir.value, cellIndex: cell }));
      return;
    case 'select-step':
      focusStep(step);
      return;
    default:
      return;
  }
});

outDir.addEventListener('change', () => {
  save();
  void load();
});
outDir.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') outDir.dispatchEvent(new Event('change'));
});
force.addEventListener('change', () => {
  save();
  showConflicts();
});

rpc.onEvent((event) => {
  switch (event.type) {
    case 'notebookChanged':
      void load();
      return;
    case 'useOutDir':
      outDir.value = event.outDir;
      save();
      void load();
      return;
    default:
      assertNever(event, 'event');
  }
});

// A new theme may bring another editor font: measure the labels again. (The graph follows the
// panel's size by itself; its colours are theme variables in the stylesheet.)
let lastTheme = document.body.className;
new MutationObserver(() => {
  if (document.body.className === lastTheme) return;
  lastTheme = document.body.className;
  dag.redraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// Show what we had before a reload at once, then ask the host for the current plan.
if (plan) show(plan, graphView);
else body.hidden = true;
rpc.ready();
void load();
