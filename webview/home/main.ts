import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import type { HomeCommand, HomeEvent, HomeRequests, HomeState, HomeStatus } from '../../src/protocol/home.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { custom, el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

const api = vscodeApi<HomeState>();
const rpc = new RpcClient<HomeRequests, HomeEvent>(api);
const app = document.getElementById('app') as HTMLElement;

function render(status: HomeStatus | null, error: string | null): void {
  const rows: [string, string][] = status
    ? [
        ['Tracking store', status.store.path ?? 'Open a folder to create the local store'],
        ['Experiments', status.store.experiments === null ? '—' : String(status.store.experiments)],
        ['SQLite engine', status.store.sqliteVersion ?? `unavailable: ${status.store.error ?? 'unknown error'}`],
        ['Workspace', status.workspaceFolder ?? 'No folder open'],
        ['Workspace trust', status.trusted ? 'Trusted' : 'Restricted mode: launching runs is disabled'],
        ['Labbook', status.extensionVersion],
        ['VS Code', status.vscodeVersion],
        ['Extension host', `Node ${status.nodeVersion} on ${status.platform}`],
      ]
    : [];
  const list = el(
    'dl',
    { className: 'facts', attrs: { 'data-testid': 'status' } },
    rows.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]),
  );
  app.replaceChildren(
    el('h1', { text: 'Labbook' }),
    el('p', {
      className: 'lead',
      text: 'Track experiments and runs, compare them, diff notebooks and turn notebooks into pipelines, without leaving VS Code.',
    }),
    custom('vscode-divider'),
    el('h2', { text: 'Status' }),
    status ? list : el('p', { className: 'muted', text: error ? '' : 'Reading status…' }),
    error ? el('p', { className: 'error', text: error, attrs: { role: 'alert' } }) : el('span'),
    el('div', { className: 'actions' }, [
      action('Show Log', 'labbook.showLog'),
      action('Open Settings', 'labbook.openSettings'),
      refreshButton(),
    ]),
  );
  app.setAttribute('aria-busy', status || error ? 'false' : 'true');
}

function action(label: string, command: HomeCommand): HTMLElement {
  const button = custom('vscode-button', { text: label, attrs: { secondary: '', 'data-command': command } });
  button.addEventListener('click', () => {
    rpc.request('runCommand', { command }).catch((err: unknown) => show(current, errorMessage(err)));
  });
  return button;
}

function refreshButton(): HTMLElement {
  const button = custom('vscode-button', { text: 'Refresh', attrs: { 'data-action': 'refresh' } });
  button.addEventListener('click', () => void load());
  return button;
}

let current: HomeStatus | null = api.getState()?.status ?? null;

function show(status: HomeStatus | null, error: string | null = null): void {
  current = status;
  api.setState({ status });
  render(status, error);
}

async function load(): Promise<void> {
  try {
    show(await rpc.request('getStatus', null));
  } catch (err) {
    show(current, `Could not read Labbook's status: ${errorMessage(err)}`);
  }
}

rpc.onEvent((event) => {
  switch (event.type) {
    case 'status':
      show(event.status);
      return;
    default:
      assertNever(event.type, 'event');
  }
});

// Show what we had before a reload at once, then ask the host for the current state.
render(current, null);
rpc.ready();
void load();
