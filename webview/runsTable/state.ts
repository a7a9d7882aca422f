// What the Runs Table page keeps across reloads (vscode getState/setState), read defensively: the
// saved state may come from an older page. The view itself (columns, sort, filter) the host keeps.
import { isRecord } from '../../src/protocol/rpc.ts';
import type { RunsTableState } from '../../src/protocol/runsTable.ts';

const MAX_KEPT = 10_000;

function strings(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string').slice(0, MAX_KEPT) : [];
}

export function readState(raw: unknown): RunsTableState {
  if (!isRecord(raw)) return { store: '', experimentIds: [], scrollTop: 0, selected: [], expandedGroups: [] };
  const scrollTop = typeof raw.scrollTop === 'number' && Number.isFinite(raw.scrollTop) && raw.scrollTop >= 0 ? raw.scrollTop : 0;
  return {
    store: typeof raw.store === 'string' ? raw.store : '',
    experimentIds: strings(raw.experimentIds),
    scrollTop,
    selected: strings(raw.selected),
    expandedGroups: strings(raw.expandedGroups),
  };
}
