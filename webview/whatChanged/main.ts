import '@vscode-elements/elements/dist/vscode-button/index.js';
import { assertNever } from '../../src/protocol/rpc.ts';
import { readWhatChangedState, type WhatChangedEvent, type WhatChangedRequests, type WhatChangedState } from '../../src/protocol/whatChanged.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { custom, el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { codeSection, dataSection, environmentSection, headerOf, metricsSection, paramsSection, signatureSection, summarySection, type SectionActions } from './sections.ts';

const api = vscodeApi<WhatChangedState>();
const rpc = new RpcClient<WhatChangedRequests, WhatChangedEvent>(api, window, 60_000);
const app = document.getElementById('app') as HTMLElement;
const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'alert' } });
const refresh = custom('vscode-button', { text: 'Refresh', attrs: { secondary: '', 'data-action': 'refresh', title: 'Compare both sides again' } });
refresh.addEventListener('click', () => void load());
const toolbar = el('div', { className: 'wc-toolbar', attrs: { role: 'toolbar', 'aria-label': 'What Changed' } }, [refresh]);

// A state from an older build, or damaged, keeps its source at most: the comparison is read afresh.
let { source, diff: current } = readWhatChangedState(api.getState());
/** Numbers each getDiff, so an older answer never replaces a newer one. */
let loadSeq = 0;
/** Whether the latest getDiff is still unanswered. */
let reading = false;

function save(): void {
  if (source) api.setState({ source, diff: current });
}

function act(promise: Promise<unknown>): void {
  alert.textContent = '';
  promise.catch((err: unknown) => {
    alert.textContent = errorMessage(err);
  });
}

const actions: SectionActions = {
  openDiff: (file) => act(rpc.request('openDiff', { file })),
  openNotebookDiff: () => act(rpc.request('openNotebookDiff', null)),
  openRun: (side) => act(rpc.request('openRun', { side })),
};

/** The comparison; while there is none, that both sides are being read (busy), or the error. */
function render(): void {
  app.setAttribute('aria-busy', String(!current && reading));
  if (!current) {
    app.replaceChildren(el('h1', { text: 'What Changed' }), toolbar, el('p', { className: 'muted', text: reading ? 'Reading both sides…' : 'No comparison to show.' }), alert);
    return;
  }
  const w = current;
  app.replaceChildren(
    el('h1', { text: 'What Changed' }),
    toolbar,
    headerOf(w, actions),
    alert,
    summarySection(w),
    metricsSection(w),
    paramsSection(w),
    dataSection(w),
    codeSection(w, actions),
    environmentSection(w),
    signatureSection(w),
  );
}

async function load(): Promise<void> {
  const seq = ++loadSeq;
  reading = true;
  if (!current) render();
  try {
    const next = await rpc.request('getDiff', null);
    if (seq !== loadSeq) return;
    current = next;
    alert.textContent = '';
    save();
  } catch (err) {
    if (seq !== loadSeq) return;
    alert.textContent = `Could not compare: ${errorMessage(err)}`;
  }
  reading = false;
  render();
}

rpc.onEvent((event) => {
  switch (event.type) {
    case 'source':
      source = event.source;
      save();
      return;
    case 'storeChanged':
      void load();
      return;
    default:
      assertNever(event, 'event');
  }
});

// Ready first, so a restore that cannot be drawn never leaves the host waiting. A restored page
// draws what it showed at once while it asks for a fresh comparison; what cannot be drawn is dropped.
rpc.ready();
void load();
try {
  render();
} catch {
  current = null;
  render();
}
