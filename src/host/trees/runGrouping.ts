// How the Experiments view arranges an experiment's loaded runs: pinned runs first, then either a
// flat list, groups by a param or tag value, or child runs nested under their parent run.
// Plain functions (no `vscode`), unit-tested in Node.
import type { Run } from '../../core/store/types.ts';

export type GroupBy =
  | { readonly kind: 'param'; readonly key: string }
  | { readonly kind: 'tag'; readonly key: string }
  | { readonly kind: 'parent' };

/** MLflow's tag naming a nested run's parent. */
export const PARENT_TAG = 'mlflow.parentRunId';

export interface RunEntry {
  readonly kind: 'run';
  readonly run: Run;
  readonly pinned: boolean;
  /** Child runs (grouping by parent only). */
  readonly children: readonly RunEntry[];
}

export interface GroupEntry {
  readonly kind: 'group';
  /** The param/tag value, or undefined for runs without it. */
  readonly value: string | undefined;
  readonly label: string;
  readonly runs: readonly RunEntry[];
}

export type ArrangedEntry = RunEntry | GroupEntry;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function valueOf(run: Run, groupBy: Extract<GroupBy, { key: string }>): string | undefined {
  const list = groupBy.kind === 'param' ? run.data.params : run.data.tags;
  return list.find((p) => p.key === groupBy.key)?.value;
}

function leaf(run: Run, pinned: ReadonlySet<string>): RunEntry {
  return { kind: 'run', run, pinned: pinned.has(run.info.runId), children: [] };
}

/**
 * Arranges runs (already in the user's order) for display. Pinned runs come first, outside any
 * group, in the order they were given; the rest keep their order within each group. Groups are
 * sorted by value (numbers numerically); runs without the key form a last "(no value)" group.
 * By parent: a run whose parent is among `runs` is nested under it (any depth, cycles broken);
 * a child whose parent is not loaded stays at the top level.
 */
export function arrangeRuns(runs: readonly Run[], groupBy: GroupBy | undefined, pinned: ReadonlySet<string>): ArrangedEntry[] {
  const pinnedRuns = runs.filter((r) => pinned.has(r.info.runId)).map((r) => leaf(r, pinned));
  const rest = runs.filter((r) => !pinned.has(r.info.runId));
  if (!groupBy) return [...pinnedRuns, ...rest.map((r) => leaf(r, pinned))];
  if (groupBy.kind === 'parent') return [...pinnedRuns, ...nestByParent(rest, pinned)];
  const groups = new Map<string | undefined, RunEntry[]>();
  for (const run of rest) {
    const value = valueOf(run, groupBy);
    let list = groups.get(value);
    if (!list) groups.set(value, (list = []));
    list.push(leaf(run, pinned));
  }
  const values = [...groups.keys()].sort((a, b) => (a === undefined ? 1 : b === undefined ? -1 : collator.compare(a, b)));
  const entries: GroupEntry[] = values.map((value) => ({
    kind: 'group',
    value,
    label: value === undefined ? `${groupBy.key}: (no value)` : `${groupBy.key} = ${value}`,
    runs: groups.get(value) ?? [],
  }));
  return [...pinnedRuns, ...entries];
}

function nestByParent(runs: readonly Run[], pinned: ReadonlySet<string>): RunEntry[] {
  const byId = new Map(runs.map((r) => [r.info.runId, r]));
  const childrenOf = new Map<string, Run[]>();
  const roots: Run[] = [];
  for (const run of runs) {
    const parent = run.data.tags.find((t) => t.key === PARENT_TAG)?.value;
    if (parent && parent !== run.info.runId && byId.has(parent) && !reachesSelf(run.info.runId, parent, byId)) {
      let list = childrenOf.get(parent);
      if (!list) childrenOf.set(parent, (list = []));
      list.push(run);
    } else {
      roots.push(run);
    }
  }
  const build = (run: Run): RunEntry => ({
    kind: 'run',
    run,
    pinned: pinned.has(run.info.runId),
    children: (childrenOf.get(run.info.runId) ?? []).map(build),
  });
  return roots.map(build);
}

/** True when following parents from `parent` leads back to `runId` (a cycle in the tags). */
function reachesSelf(runId: string, parent: string, byId: ReadonlyMap<string, Run>): boolean {
  let current: string | undefined = parent;
  for (let hops = 0; current !== undefined && hops <= byId.size; hops++) {
    if (current === runId) return true;
    const run = byId.get(current);
    current = run?.data.tags.find((t) => t.key === PARENT_TAG)?.value;
  }
  return false;
}

/** The param and tag keys present in these runs, for the "Group by…" picker (system tags last). */
export function groupableKeys(runs: readonly Run[]): { params: string[]; tags: string[] } {
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    for (const p of run.data.params) params.add(p.key);
    for (const t of run.data.tags) tags.add(t.key);
  }
  const system = (k: string) => k.startsWith('mlflow.') || k.startsWith('labbook.');
  return {
    params: [...params].sort(collator.compare),
    tags: [...tags].sort((a, b) => Number(system(a)) - Number(system(b)) || collator.compare(a, b)),
  };
}

export function describeGroupBy(groupBy: GroupBy | undefined): string | undefined {
  if (!groupBy) return undefined;
  return groupBy.kind === 'parent' ? 'by parent run' : `by ${groupBy.kind} ${groupBy.key}`;
}
