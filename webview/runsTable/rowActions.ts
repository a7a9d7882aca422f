// What a click or a key does to the Runs Table's lines: select (click, Ctrl/Cmd-click, the checkbox,
// shift for a range, Ctrl/Cmd-A for every matching run), open a run's details, expand or collapse
// a group. Ranges and select-all fetch run ids only.
import type { KeyActions, TableContext } from './keyboard.ts';
import { idsOfLines, idsOfRange } from './selection.ts';

/** The most runs Ctrl/Cmd-A reads ids for when the store gives no total. */
const SELECT_ALL_UNKNOWN_TOTAL = 100_000;

export interface RowActionHooks {
  /** The selection or the expanded groups changed: status line and saved state. */
  changed(): void;
  onError(err: unknown): void;
}

export class RowActions implements KeyActions {
  private readonly context: TableContext;
  private readonly hooks: RowActionHooks;

  constructor(context: TableContext, hooks: RowActionHooks) {
    this.context = context;
    this.hooks = hooks;
  }

  selectionChanged(): void {
    this.context.grid.paintSelection();
    this.hooks.changed();
  }

  /** A click on line `index`: alone, added (Ctrl/Cmd, the checkbox), or a range from the anchor (shift). */
  pointer(index: number, event: MouseEvent, onCheckbox: boolean): void {
    const { lines, selection, fetchIds } = this.context;
    const line = lines.at(index);
    if (!line || line.kind !== 'run' || !line.row) return;
    const additive = onCheckbox || event.ctrlKey || event.metaKey;
    if (event.shiftKey && selection.anchor !== undefined) {
      void idsOfLines(lines, fetchIds, selection.anchor, index, selection.knownIndex).then((ids) => {
        if (!additive) selection.clear();
        selection.add(ids);
        this.selectionChanged();
      }, (err: unknown) => this.hooks.onError(err));
      return;
    }
    if (additive) selection.toggle(line.row.runId);
    else selection.set([line.row.runId]);
    selection.anchor = index;
    this.selectionChanged();
  }

  selectAll(): void {
    void this.selectAllNow();
  }

  private async selectAllNow(): Promise<void> {
    const { lines, selection, fetchIds } = this.context;
    this.context.setStatus('Selecting every matching run…');
    try {
      const count = lines.grouped ? lines.groups.reduce((n, g) => n + g.count, 0) : (lines.flatSource?.totalKnown ?? SELECT_ALL_UNKNOWN_TOTAL);
      selection.set(await idsOfRange(fetchIds, 0, count, selection.knownIndex));
    } catch (err) {
      this.hooks.onError(err);
    }
    this.selectionChanged();
  }

  openLine(index: number): void {
    const line = this.context.lines.at(index);
    if (line?.kind === 'group') this.toggleGroup(line.group);
    else if (line?.row) this.context.rpc.request('openRun', { runId: line.row.runId }).catch((err: unknown) => this.hooks.onError(err));
  }

  toggleGroup(group: number): void {
    this.context.lines.toggle(group);
    this.context.grid.recount();
    this.hooks.changed();
  }
}
