// The Log tab: labbook/logs/output.log, its tail by default or all of it, filtered by a search
// term (matching lines only, the term marked). Polled while the run is running and the tab shown.
import type { RunLog } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { errorText } from './context.ts';
import { formatBytes, plural } from './format.ts';
import { filterBox } from './table.ts';

/** Matching lines shown with their term marked; past this, a note (the full log is one click away). */
const MAX_MATCHES = 5000;
export const LOG_POLL_MS = 3000;

export interface LogView {
  load(): Promise<void>;
}

export function buildLog(ctx: Ctx, panel: HTMLElement): LogView {
  const info = el('span', { className: 'muted', attrs: { 'data-testid': 'log-info', 'aria-live': 'polite' } });
  const showAll = el('button', { attrs: { type: 'button', 'data-action': 'logAll' } });
  const refresh = el('button', { text: 'Refresh', attrs: { type: 'button', 'data-action': 'logRefresh' } });
  const body = el('div', { className: 'log-body' });
  const filter = filterBox('Filter log lines', ctx.ui.logFilter, 'log-filter', (value) => {
    ctx.ui.logFilter = value;
    ctx.save();
    show();
  });
  panel.replaceChildren(el('div', { className: 'toolbar' }, [filter, showAll, refresh, info]), body);
  let current: RunLog | null = null;
  let seq = 0;

  const showButton = (): void => {
    showAll.textContent = ctx.ui.logAll ? 'Show tail only' : 'Show all';
    showAll.setAttribute('aria-pressed', String(ctx.ui.logAll));
  };

  const show = (): void => {
    showButton();
    if (!current) return;
    const log = current.log;
    if (!log) {
      info.textContent = '';
      body.replaceChildren(el('p', { className: 'muted empty', text: 'This run has no output log (labbook/logs/output.log): it was not launched by Labbook, or printed nothing.' }));
      return;
    }
    const lines = log.text.replace(/\n$/, '').split('\n');
    const what = log.truncated ? `${current.tail ? 'the last' : 'the first'} ${formatBytes(new TextEncoder().encode(log.text).length)} of ${formatBytes(log.size)}` : `all ${formatBytes(log.size)}`;
    const needle = ctx.ui.logFilter.trim().toLowerCase();
    if (needle === '') {
      info.textContent = `Showing ${what}${current.running ? ' · live' : ''}.`;
      const pre = el('pre', { className: 'text-view log', text: log.text, attrs: { 'data-testid': 'log', tabindex: '0' } });
      body.replaceChildren(pre);
      if (current.running) pre.scrollTop = pre.scrollHeight;
      return;
    }
    const matching = lines.filter((l) => l.toLowerCase().includes(needle));
    info.textContent = `${plural(matching.length, 'matching line')} in ${what}.`;
    const pre = el('pre', { className: 'text-view log', attrs: { 'data-testid': 'log', tabindex: '0' } }, matching.slice(0, MAX_MATCHES).map((line) => markLine(line, needle)));
    const parts: Node[] = [pre];
    if (matching.length > MAX_MATCHES) parts.push(el('p', { className: 'muted', text: `The first ${MAX_MATCHES} matching lines are shown.` }));
    body.replaceChildren(...parts);
  };

  const load = async (): Promise<void> => {
    const mine = ++seq;
    body.setAttribute('aria-busy', 'true');
    try {
      const log = await ctx.rpc.request('getLog', { all: ctx.ui.logAll });
      if (mine !== seq) return;
      current = log;
      show();
    } catch (err) {
      if (mine !== seq) return;
      body.replaceChildren(el('p', { className: 'error', text: errorText('read the log', err), attrs: { role: 'alert' } }));
    }
    body.setAttribute('aria-busy', 'false');
  };

  showAll.addEventListener('click', () => {
    ctx.ui.logAll = !ctx.ui.logAll;
    ctx.save();
    showButton();
    void load();
  });
  refresh.addEventListener('click', () => void load());
  show();
  return { load };
}

function markLine(line: string, needle: string): HTMLElement {
  const span = el('span', { className: 'line' });
  const lower = line.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
    if (i > at) span.append(document.createTextNode(line.slice(at, i)));
    span.append(el('mark', { text: line.slice(i, i + needle.length) }));
    at = i + needle.length;
  }
  span.append(document.createTextNode(`${line.slice(at)}\n`));
  return span;
}
