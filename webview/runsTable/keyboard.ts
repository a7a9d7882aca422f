// Keyboard helpers of the Runs Table that need the rows: type-to-find (typing jumps to the next
// run whose name starts with what was typed) and Ctrl/Cmd-C (the selected runs, or the active
// cell, as tab-separated text through the host's clipboard).
import { MAX_PAGE_ROWS, type RunsTableEvent, type RunsTableRequests, type TableRow } from '../../src/protocol/runsTable.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import type { RpcClient } from '../shared/rpcClient.ts';
import { SPARK_ID, type ColumnLayout } from './columns.ts';
import { formatCell, plainCell } from './format.ts';
import type { RunsGrid } from './grid.ts';
import type { Lines } from './lines.ts';
import type { FetchIds, Selection } from './selection.ts';

export interface TableContext {
  lines: Lines;
  grid: RunsGrid;
  readonly layout: ColumnLayout;
  readonly selection: Selection;
  readonly fetchIds: FetchIds;
  readonly rpc: RpcClient<RunsTableRequests, RunsTableEvent>;
  setStatus(text: string): void;
}

export interface KeyActions {
  openLine(line: number): void;
  toggleGroup(group: number): void;
  selectionChanged(): void;
  selectAll(): void;
}

/** The grid's keys: arrows, Home/End (with Ctrl/Cmd: first/last run), PageUp/PageDown, Enter, Space, Shift+↑/↓, Ctrl/Cmd-A/C, Escape, type-to-find. */
export function gridKeys(context: TableContext, actions: KeyActions): (e: KeyboardEvent) => void {
  return (e) => {
    const { line, col } = context.grid.activeCell;
    const mod = e.ctrlKey || e.metaKey;
    const moves: Record<string, () => [number, number]> = {
      ArrowDown: () => [line + 1, col],
      ArrowUp: () => [line - 1, col],
      ArrowRight: () => [line, col + 1],
      ArrowLeft: () => [line, col - 1],
      Home: () => (mod ? [0, col] : [line, 0]),
      End: () => (mod ? [context.lines.count - 1, col] : [line, context.grid.columnCount - 1]),
      PageDown: () => [line + context.grid.pageLines, col],
      PageUp: () => [line - context.grid.pageLines, col],
    };
    const move = moves[e.key];
    if (move && !e.altKey) {
      e.preventDefault();
      const [l, c] = move();
      context.grid.setActive(l, c);
      if (e.shiftKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        const row = context.lines.at(context.grid.activeCell.line);
        if (row?.kind === 'run' && row.row) {
          context.selection.add([row.row.runId]);
          actions.selectionChanged();
        }
      }
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      actions.openLine(line);
    } else if (e.key === ' ') {
      e.preventDefault();
      const row = context.lines.at(line);
      if (row?.kind === 'run' && row.row) {
        context.selection.toggle(row.row.runId);
        context.selection.anchor = line;
        actions.selectionChanged();
      } else if (row?.kind === 'group') actions.toggleGroup(row.group);
    } else if (mod && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      actions.selectAll();
    } else if (mod && e.key.toLowerCase() === 'c') {
      e.preventDefault();
      void copySelection(context);
    } else if (e.key === 'Escape' && context.selection.size) {
      context.selection.clear();
      actions.selectionChanged();
    } else if (e.key.length === 1 && !mod && !e.altKey && e.key !== ' ') {
      e.preventDefault();
      void findByName(context, e.key);
    }
  };
}

/** The most rows Copy puts on the clipboard; beyond that Export CSV is the tool. */
const COPY_MAX = 5000;
const FIND_RESET_MS = 800;
let typed = '';
let typedAt = 0;

/** Names of every run of the flat view, read once per view (names only), for type-to-find. */
let names: { source: unknown; list: Promise<string[]> } | undefined;
/** Keystrokes are searched one after the other, in the order typed. */
let queue: Promise<void> = Promise.resolve();

function runNames(context: TableContext): Promise<string[]> {
  const source = context.lines.flatSource;
  if (names && names.source === source) return names.list;
  const read = async () => {
    const list: string[] = [];
    const total = source?.count ?? 0;
    for (let offset = 0, guard = 0; offset < total && guard < 200; guard++) {
      const page = await context.rpc.request('getRows', { offset, limit: 1000, columnIds: ['attributes.run_name'] });
      for (const row of page.rows) list.push(String(row.cells['attributes.run_name'] ?? ''));
      if (page.rows.length === 0) break;
      offset += page.rows.length;
    }
    return list;
  };
  const entry = { source, list: read() };
  names = entry;
  // A failed read is not kept: the next keystroke tries again.
  entry.list.catch(() => {
    if (names === entry) names = undefined;
  });
  return entry.list;
}

export function findByName(context: TableContext, key: string): Promise<void> {
  const now = Date.now();
  typed = now - typedAt > FIND_RESET_MS ? key : typed + key;
  typedAt = now;
  const prefix = typed;
  queue = queue.then(() => find(context, prefix));
  return queue;
}

async function find(context: TableContext, typedText: string): Promise<void> {
  const prefix = typedText.toLowerCase();
  const { lines, grid } = context;
  const start = grid.activeCell.line;
  const count = lines.count;
  // A longer prefix may still match the current line; a fresh letter moves on to the next.
  const from = typedText.length > 1 ? start : start + 1;
  const matches = (name: string | undefined) => name !== undefined && name.toLowerCase().startsWith(prefix);
  try {
    if (lines.flatSource) {
      const list = await runNames(context);
      for (let k = 0; k < list.length; k++) {
        const i = (from + k) % list.length;
        if (matches(list[i])) return grid.setActive(i, grid.activeCell.col);
      }
    } else {
      for (let k = 0; k < count; k++) {
        const i = (from + k) % count;
        const line = lines.at(i);
        if (line?.kind === 'run' && matches(String(line.row?.cells['attributes.run_name'] ?? ''))) return grid.setActive(i, grid.activeCell.col);
      }
    }
    context.setStatus(`No run name starts with “${typedText}”`);
  } catch (err) {
    context.setStatus(`Could not search the names: ${errorMessage(err)}`);
  }
}

export async function copySelection(context: TableContext): Promise<void> {
  const { lines, grid, layout, selection } = context;
  const columns = layout.all.filter((c) => c.id !== SPARK_ID);
  let text: string;
  if (selection.size === 0) {
    const { line, col } = grid.activeCell;
    const row = lines.at(line);
    const column = layout.all[col - 1];
    if (row?.kind !== 'run' || !row.row || !column?.def) return;
    text = formatCell(row.row.cells[column.id], column.def.valueType);
  } else {
    const rows = await selectedRows(context, columns.map((c) => c.id));
    const body = rows.map((r) => columns.map((c) => plainCell(r.cells[c.id])).join('\t'));
    text = [columns.map((c) => c.id).join('\t'), ...body].join('\n');
    context.setStatus(`Copied ${rows.length} run${rows.length === 1 ? '' : 's'}${rows.length < selection.size ? ` of ${selection.size} (Export CSV takes all)` : ''}`);
  }
  await context.rpc.request('copyText', { text }).catch((err: unknown) => context.setStatus(`Could not copy: ${errorMessage(err)}`));
}

/** The selected rows in table order with every shown column, read for the copy (at most COPY_MAX rows). */
async function selectedRows(context: TableContext, columnIds: readonly string[]): Promise<TableRow[]> {
  const { lines, selection } = context;
  const source = lines.flatSource;
  if (!source) {
    const out: TableRow[] = [];
    for (let i = 0; i < lines.count && out.length < COPY_MAX; i++) {
      const line = lines.at(i);
      if (line?.kind === 'run' && line.row && selection.has(line.row.runId)) out.push(line.row);
    }
    return out;
  }
  const indices = selection.list
    .map((id) => source.indexOf(id) ?? selection.knownIndex.get(id))
    .filter((i): i is number => i !== undefined)
    .sort((a, b) => a - b)
    .slice(0, COPY_MAX);
  const out: TableRow[] = [];
  // Neighbouring indices are read as one range.
  for (let k = 0; k < indices.length;) {
    let end = k;
    while (end + 1 < indices.length && (indices[end + 1] as number) - (indices[k] as number) < MAX_PAGE_ROWS && (indices[end + 1] as number) - (indices[end] as number) <= 50) end++;
    const from = indices[k] as number;
    const page = await context.rpc.request('getRows', { offset: from, limit: (indices[end] as number) - from + 1, columnIds });
    for (const row of page.rows) if (selection.has(row.runId)) out.push(row);
    k = end + 1;
  }
  return out;
}
