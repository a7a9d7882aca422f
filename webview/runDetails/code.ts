// The Code tab: the snapshot of the launched file, and the git patch of uncommitted changes at
// launch as a coloured diff; a switch between the two.
import type { RunCode, RunDetails } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { errorText } from './context.ts';
import { formatBytes } from './format.ts';
import { diffText, plainText } from './textViews.ts';

export interface CodeViewHandle {
  load(): Promise<void>;
}

export function buildCode(ctx: Ctx, panel: HTMLElement): CodeViewHandle {
  const buttons = (['snapshot', 'patch'] as const).map((view) => {
    const b = el('button', { text: view === 'snapshot' ? 'Snapshot' : 'Git patch', attrs: { type: 'button', 'data-code-view': view } });
    b.addEventListener('click', () => {
      ctx.ui.codeView = view;
      ctx.save();
      show();
    });
    return b;
  });
  const body = el('div', { className: 'code-body', attrs: { 'data-testid': 'code' } });
  panel.replaceChildren(el('div', { className: 'toolbar', attrs: { role: 'group', 'aria-label': 'Code view' } }, buttons), body);
  let code: RunCode | null = null;

  const show = (): void => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.codeView === ctx.ui.codeView));
    if (!code) return;
    body.replaceChildren(...(ctx.ui.codeView === 'snapshot' ? snapshot(code) : patch(code, ctx.details())));
  };

  return {
    async load(): Promise<void> {
      body.setAttribute('aria-busy', 'true');
      try {
        code = await ctx.rpc.request('getCode', null);
        show();
      } catch (err) {
        body.replaceChildren(el('p', { className: 'error', text: errorText('read the code', err), attrs: { role: 'alert' } }));
      }
      body.setAttribute('aria-busy', 'false');
    },
  };
}

function heading(path: string, size: number, truncated: boolean): Node[] {
  const parts: Node[] = [el('h2', { className: 'mono', text: path })];
  if (truncated) parts.push(el('p', { className: 'note-truncated', text: `Showing the first part of ${formatBytes(size)}.` }));
  return parts;
}

function snapshot(code: RunCode): Node[] {
  if (!code.snapshot) {
    return [el('p', { className: 'muted empty', text: `This run has no code snapshot${code.source ? ` of ${code.source}` : ''}: it was not launched by Labbook.` })];
  }
  return [...heading(code.snapshot.path, code.snapshot.size, code.snapshot.truncated), plainText(code.snapshot.text, 'snapshot')];
}

function patch(code: RunCode, details: RunDetails | null): Node[] {
  if (!code.patch || code.patch.text.trim() === '') {
    const clean = details?.overview.git?.dirty === false;
    return [el('p', { className: 'muted empty', text: clean ? 'No git patch: the working tree had no uncommitted changes at launch.' : 'This run has no git patch (labbook/code/git.patch).' })];
  }
  return [...heading(code.patch.path, code.patch.size, code.patch.truncated), diffText(code.patch.text, 'patch')];
}
