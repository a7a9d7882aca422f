// The Artifacts tab: a tree listed one folder at a time (on expand), after the WAI-ARIA tree
// pattern, and a preview of the selected artifact with "Open in editor" and "Save as…".
import type { ArtifactEntry, ArtifactPreview } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { errorText } from './context.ts';
import { formatBytes } from './format.ts';
import { renderPreview } from './preview.ts';

/** A folder with more entries shows this many (the rest through Open in editor / the store). */
const MAX_ENTRIES = 1000;

type Listing = readonly ArtifactEntry[] | { readonly error: string } | 'loading';

export interface ArtifactsView {
  /** Called when the tab is shown, and when the run changed while it is shown. */
  load(reload: boolean): void;
}

export function buildArtifacts(ctx: Ctx, panel: HTMLElement): ArtifactsView {
  const listings = new Map<string, Listing>();
  const tree = el('ul', { className: 'tree', attrs: { role: 'tree', 'aria-label': 'Artifacts', 'data-testid': 'artifact-tree' } });
  const previewHead = el('div', { className: 'preview-head' });
  const previewBody = el('div', { className: 'preview-body', attrs: { 'data-testid': 'preview', 'aria-live': 'polite' } });
  const previewPane = el('section', { className: 'preview', attrs: { 'aria-label': 'Preview' } }, [previewHead, previewBody]);
  panel.replaceChildren(el('div', { className: 'artifacts' }, [el('div', { className: 'tree-pane' }, [tree]), previewPane]));
  let focused: string | null = ctx.ui.selectedArtifact;
  let previewSeq = 0;

  /** Lists a folder unless it is listed (or being listed); `force` re-lists, keeping the old entries on screen meanwhile. */
  const list = async (folder: string, force = false): Promise<void> => {
    const known = listings.get(folder);
    if (known === 'loading') return;
    const listed = known !== undefined && !('error' in known);
    if (listed && !force) return;
    if (!listed) {
      listings.set(folder, 'loading');
      render();
    }
    try {
      listings.set(folder, await ctx.rpc.request('listArtifacts', { path: folder }));
    } catch (err) {
      listings.set(folder, { error: errorText('list this folder', err) });
    }
    render();
  };

  const item = (entry: ArtifactEntry, level: number): HTMLElement => {
    const open = entry.isDir && ctx.ui.expanded.includes(entry.path);
    const attrs: Record<string, string> = { role: 'treeitem', 'data-path': entry.path, 'aria-level': String(level), tabindex: entry.path === focused ? '0' : '-1' };
    if (entry.isDir) attrs['aria-expanded'] = String(open);
    else attrs['aria-selected'] = String(entry.path === ctx.ui.selectedArtifact);
    const label = el('span', { className: 'tree-label' }, [
      el('span', { className: `twisty${entry.isDir ? '' : ' leaf'}`, text: entry.isDir ? (open ? '▾' : '▸') : '', attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: entry.isDir ? 'icon-folder' : 'icon-file', attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'name', text: entry.name }),
      ...(entry.size === null ? [] : [el('span', { className: 'size muted', text: formatBytes(entry.size) })]),
    ]);
    const node = el('li', { className: entry.isDir ? 'folder' : 'file', attrs }, [label]);
    if (open) node.append(el('ul', { attrs: { role: 'group' } }, children(entry.path, level + 1)));
    return node;
  };

  const children = (folder: string, level: number): HTMLElement[] => {
    const listing = listings.get(folder);
    if (listing === undefined || listing === 'loading') return [el('li', { className: 'muted tree-note', text: 'Loading…', attrs: { role: 'none' } })];
    if ('error' in listing) return [el('li', { className: 'error tree-note', text: listing.error, attrs: { role: 'none' } })];
    if (listing.length === 0) return [el('li', { className: 'muted tree-note', text: folder === '' ? 'This run has no artifacts.' : 'Empty folder.', attrs: { role: 'none' } })];
    const shown = listing.slice(0, MAX_ENTRIES).map((e) => item(e, level));
    if (listing.length > MAX_ENTRIES) shown.push(el('li', { className: 'muted tree-note', text: `${listing.length - MAX_ENTRIES} more not shown.`, attrs: { role: 'none' } }));
    return shown;
  };

  const render = (): void => {
    const hadFocus = tree.contains(document.activeElement);
    tree.replaceChildren(...children('', 1));
    const items = treeItems();
    if (!items.some((i) => i.tabIndex === 0) && items[0]) items[0].tabIndex = 0;
    if (hadFocus) (items.find((i) => i.dataset.path === focused) ?? items[0])?.focus();
  };

  const treeItems = (): HTMLElement[] => [...tree.querySelectorAll<HTMLElement>('[role=treeitem]')];

  const toggle = (path: string, open: boolean): void => {
    const expanded = new Set(ctx.ui.expanded);
    if (open) expanded.add(path);
    else expanded.delete(path);
    ctx.ui.expanded = [...expanded];
    ctx.save();
    render();
    if (open) void list(path);
  };

  const preview = async (path: string): Promise<void> => {
    ctx.ui.selectedArtifact = path;
    ctx.save();
    const seq = ++previewSeq;
    const open = el('button', { text: 'Open in editor', attrs: { type: 'button', 'data-action': 'openArtifact' } });
    const save = el('button', { text: 'Save as…', attrs: { type: 'button', 'data-action': 'saveArtifact' } });
    const alert = el('p', { className: 'error', attrs: { role: 'alert' } });
    open.addEventListener('click', () => void ctx.rpc.request('openArtifact', { path }).catch((err: unknown) => (alert.textContent = errorText(`open ${path}`, err))));
    save.addEventListener('click', () => void ctx.rpc.request('saveArtifact', { path }).catch((err: unknown) => (alert.textContent = errorText(`save ${path}`, err))));
    previewHead.replaceChildren(el('h2', { className: 'mono', text: path, attrs: { 'data-testid': 'preview-path' } }), el('div', { className: 'actions' }, [open, save]), alert);
    previewBody.replaceChildren(el('p', { className: 'muted', text: 'Loading preview…' }));
    previewBody.setAttribute('aria-busy', 'true');
    let nodes: Node[];
    try {
      const result: ArtifactPreview = await ctx.rpc.request('previewArtifact', { path });
      nodes = renderPreview(result);
    } catch (err) {
      nodes = [el('p', { className: 'error', text: errorText(`preview ${path}`, err) })];
    }
    if (seq !== previewSeq) return;
    previewBody.replaceChildren(...nodes);
    previewBody.setAttribute('aria-busy', 'false');
    render();
  };

  const activate = (node: HTMLElement): void => {
    const path = node.dataset.path as string;
    focused = path;
    if (node.hasAttribute('aria-expanded')) toggle(path, node.getAttribute('aria-expanded') !== 'true');
    else void preview(path);
  };

  tree.addEventListener('click', (e) => {
    const node = (e.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
    if (node) {
      e.stopPropagation();
      activate(node);
    }
  });
  tree.addEventListener('keydown', (e) => {
    const node = (e.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
    if (!node) return;
    const items = treeItems();
    const index = items.indexOf(node);
    const move = (target: HTMLElement | undefined) => {
      if (!target) return;
      for (const i of items) i.tabIndex = -1;
      target.tabIndex = 0;
      focused = target.dataset.path ?? null;
      target.focus();
    };
    const isDir = node.hasAttribute('aria-expanded');
    const open = node.getAttribute('aria-expanded') === 'true';
    switch (e.key) {
      case 'ArrowDown': move(items[index + 1]); break;
      case 'ArrowUp': move(items[index - 1]); break;
      case 'Home': move(items[0]); break;
      case 'End': move(items[items.length - 1]); break;
      case 'ArrowRight':
        if (isDir && !open) activate(node);
        else if (isDir) move(items[index + 1]);
        break;
      case 'ArrowLeft':
        if (isDir && open) activate(node);
        else move(node.parentElement?.closest<HTMLElement>('[role=treeitem]') ?? undefined);
        break;
      case 'Enter':
      case ' ':
        activate(node);
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  return {
    load(again: boolean): void {
      for (const folder of ['', ...ctx.ui.expanded]) void list(folder, again);
      if (!again && ctx.ui.selectedArtifact) void preview(ctx.ui.selectedArtifact);
    },
  };
}
