// The Overview tab: status, times, who and what ran, where it came from (git, parent, reproduced run).
import type { RunDetails, RunOverview } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { errorText } from './context.ts';
import { formatTime } from './format.ts';
import { formatDuration } from '../../src/shared/format.ts';

/** A glyph per status, beside its name (the name is what screen readers hear). */
export const STATUS_ICONS: Readonly<Record<RunOverview['status'], string>> = {
  RUNNING: '⟳',
  SCHEDULED: '◷',
  FINISHED: '✓',
  FAILED: '✕',
  KILLED: '■',
};

export function statusBadge(status: RunOverview['status']): HTMLElement {
  return el('span', { className: `status status-${status.toLowerCase()}`, attrs: { 'data-testid': 'status' } }, [
    el('span', { className: 'status-icon', text: STATUS_ICONS[status], attrs: { 'aria-hidden': 'true' } }),
    el('span', { text: status.charAt(0) + status.slice(1).toLowerCase() }),
  ]);
}

/** A button that reads as a link: it asks the host to do something outside the panel. */
export function linkButton(text: string, attrs: Record<string, string>, onClick: () => Promise<unknown>, alert: HTMLElement): HTMLButtonElement {
  const button = el('button', { className: 'link', text, attrs: { type: 'button', ...attrs } });
  button.addEventListener('click', () => {
    alert.textContent = '';
    onClick().catch((err: unknown) => (alert.textContent = errorText(text.toLowerCase(), err)));
  });
  return button;
}

export function renderOverview(ctx: Ctx, panel: HTMLElement, details: RunDetails): void {
  const o = details.overview;
  const alert = el('p', { className: 'error', attrs: { role: 'alert' } });
  const rows: [string, Node[], string?][] = [];
  const add = (term: string, nodes: Node[] | string, field?: string) => rows.push([term, typeof nodes === 'string' ? [document.createTextNode(nodes)] : nodes, field]);

  const status: Node[] = [statusBadge(o.status)];
  if (o.exitCode !== null) status.push(el('span', { className: 'muted', text: ` exit code ${o.exitCode}` }));
  add('Status', status, 'status');
  add('Started', [el('time', { text: formatTime(o.startTime), attrs: o.startTime ? { datetime: o.startTime, title: o.startTime } : {} })], 'start');
  add('Ended', [el('time', { text: o.endTime ? formatTime(o.endTime) : o.status === 'RUNNING' ? 'still running' : '—', attrs: o.endTime ? { datetime: o.endTime, title: o.endTime } : {} })], 'end');
  add('Duration', formatDuration(o.durationMs) ?? '—', 'duration');
  add('User', o.user ?? '—', 'user');
  const source: Node[] = [el('span', { className: 'mono', text: o.source ?? '—' })];
  if (o.sourceSnapshot) source.push(document.createTextNode(' '), linkButton('View snapshot', { 'data-action': 'viewSnapshot' }, () => {
    ctx.selectTab('code', true);
    return Promise.resolve();
  }, alert));
  add('Source', source, 'source');
  add('Experiment', o.experimentName === null ? `id ${o.experimentId}` : `${o.experimentName} (id ${o.experimentId})`, 'experiment');
  add('Run ID', [
    el('span', { className: 'mono', text: o.runId }),
    document.createTextNode(' '),
    linkButton('Copy', { 'data-action': 'copyRunId', 'aria-label': 'Copy run ID', title: 'Copy run ID' }, () => ctx.rpc.request('copyText', { text: o.runId }), alert),
  ], 'runId');
  if (o.git) {
    const git: Node[] = [el('span', { className: 'mono', text: o.git.commit.slice(0, 12), attrs: { title: o.git.commit } })];
    if (o.git.branch) git.push(el('span', { className: 'branch', text: ` on ${o.git.branch}` }));
    if (o.git.dirty) git.push(el('span', { className: 'badge badge-warn', text: 'uncommitted changes', attrs: { title: 'The working tree had changes at launch; see the git patch under Code.' } }));
    if (o.git.repoPath) {
      git.push(document.createTextNode(' '), linkButton('Open source at this commit', { 'data-action': 'openAtCommit', title: `${o.git.repoPath} at ${o.git.commit}` }, () => ctx.rpc.request('openSourceAtCommit', null), alert));
    }
    add('Git commit', git, 'git');
    if (o.git.repoUrl) add('Repository', [el('span', { className: 'mono', text: o.git.repoUrl })], 'repo');
  } else {
    add('Git commit', 'not recorded', 'git');
  }
  for (const [term, runId, field] of [['Parent run', o.parentRunId, 'parent'], ['Reproduces', o.reproduces, 'reproduces']] as const) {
    if (runId) add(term, [linkButton(runId, { 'data-action': 'openRun', 'data-run': runId, title: `Open the details of run ${runId}` }, () => ctx.rpc.request('openRun', { runId }), alert)], field);
  }
  add('Store', details.storeDescription, 'store');
  add('Artifact location', [el('span', { className: 'mono', text: o.artifactUri })], 'artifacts');

  const list = el('dl', { className: 'facts', attrs: { 'data-testid': 'overview' } },
    rows.flatMap(([term, nodes, field]) => [el('dt', { text: term }), el('dd', { attrs: field ? { 'data-field': field } : {} }, nodes)]));
  panel.replaceChildren(list, alert);
}
