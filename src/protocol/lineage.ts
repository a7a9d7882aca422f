/** Contract between the host and the Lineage panel (webview/lineage). */
import type { DataState, LineageGraph, LineageNode, LineageRef } from '../core/lineage/types.ts';
import { arrayOf, boolean, conforms, defineRequest, integer, integerBetween, NO_PARAMS, nonEmptyString, object, oneOf, optional, string, type Check, type RequestTable } from './requests.ts';
import { isRecord } from './rpc.ts';

// DataState: what the host's fingerprint check (core/lineage/staleness.ts) says of a data node.
export type { DataState, LineageEdge, LineageGraph, LineageNode, LineageNodeKind, LineageRef, Truncation } from '../core/lineage/types.ts';

export const LINEAGE_VIEW_TYPE = 'labbook.lineage';

/**
 * A node as the panel gets it. `tabular`: a data file in a format the drift engine reads (the host
 * marks it with core/profile/tabularFiles.ts, which the page does not bundle), so Compare with
 * Training Data is offered on data.csv, not on model.pkl where it could only fail.
 */
export type LineageNodeView = LineageNode & { readonly tabular?: true };

/** Hops around the focus the panel shows at most (and the most one expansion adds). */
export const MAX_HOPS = 6;
/** Expansions a panel keeps (each is read again after a store change). */
export const MAX_EXPANSIONS = 24;

export type ExpandSide = 'upstream' | 'downstream' | 'both';

/**
 * One expansion the user asked for: `hops` more around a node, one side or both; `limit` raises the
 * neighbours kept per node (a "+N more" node asks for more of a cut side).
 */
export interface LineageExpansion {
  readonly ref: LineageRef;
  readonly side: ExpandSide;
  readonly hops: number;
  readonly limit?: number;
}

/** What the panel shows: where to read it, and what to start from. The page keeps it (state), the serializer revives from it. */
export interface LineageFocus {
  /** The store root id. */
  readonly store: string;
  readonly ref: LineageRef;
}

/** Stale marks as plain arrays (the core's Map and Set do not survive JSON). */
export interface StaleView {
  readonly data: readonly (readonly [string, DataState])[];
  readonly staleDownstream: readonly string[];
  readonly notes: readonly string[];
}

export type LineageResult =
  | {
      readonly kind: 'graph';
      /** Numbers each graph the host built, so stale marks computed later are matched to theirs. */
      readonly seq: number;
      readonly focus: LineageFocus;
      readonly label: string;
      readonly hops: number;
      readonly expansions: readonly LineageExpansion[];
      readonly graph: LineageGraph;
      /** Stale marks are being computed (a `stale` event follows). */
      readonly staleCheck: boolean;
    }
  | { readonly kind: 'error'; readonly focus: LineageFocus; readonly label: string; readonly message: string };

const REF_KINDS = ['dataset', 'data', 'run', 'loggedModel', 'modelVersion', 'alias'] as const;

/** A lineage ref as it came from the page or its saved state. */
export const lineageRef: Check<LineageRef> = (value, field) => {
  const { kind } = object<{ kind: LineageRef['kind'] }>({ kind: oneOf(REF_KINDS) })(value, field);
  switch (kind) {
    case 'dataset':
      return { kind, ...object<{ digest: string; name?: string }>({ digest: nonEmptyString, name: optional(string) })(value, field) };
    case 'data':
      return { kind, ...object<{ hash: string }>({ hash: nonEmptyString })(value, field) };
    case 'run':
      return { kind, ...object<{ runId: string }>({ runId: nonEmptyString })(value, field) };
    case 'loggedModel':
      return { kind, ...object<{ modelId: string }>({ modelId: nonEmptyString })(value, field) };
    case 'modelVersion':
      return { kind, ...object<{ name: string; version: string }>({ name: nonEmptyString, version: nonEmptyString })(value, field) };
    case 'alias':
      return { kind, ...object<{ name: string; alias: string }>({ name: nonEmptyString, alias: nonEmptyString })(value, field) };
  }
};

const EXPAND_SIDES: readonly ExpandSide[] = ['upstream', 'downstream', 'both'];
const hops = integerBetween(0, MAX_HOPS);

const lineageExpansion: Check<LineageExpansion> = object<LineageExpansion>({
  ref: lineageRef,
  side: oneOf(EXPAND_SIDES),
  hops: integerBetween(1, MAX_HOPS),
  limit: optional(integerBetween(1, 5000)),
});

const lineageFocus: Check<LineageFocus> = object<LineageFocus>({ store: nonEmptyString, ref: lineageRef });

export const lineageRequests = {
  /** The graph as the panel has it (read on first ask). */
  getGraph: defineRequest<null, LineageResult>(NO_PARAMS),
  /** Reads the store again with a fresh reader. */
  refresh: defineRequest<null, LineageResult>(NO_PARAMS),
  /** Shows `hops` around the focus (the expansions kept). */
  setHops: defineRequest<{ readonly hops: number }, LineageResult>({ hops }),
  /** Expands one node of the graph: `hops` more on a side; `more` asks for the neighbours a "+N more" node stands for. */
  expand: defineRequest<{ readonly nodeId: string; readonly side: ExpandSide; readonly hops: number; readonly more?: boolean }, LineageResult>({
    nodeId: nonEmptyString,
    side: oneOf(EXPAND_SIDES),
    hops: integerBetween(1, MAX_HOPS),
    more: optional(boolean),
  }),
  /** Opens a node of the graph: a run's details, a version's source run, a data file. */
  open: defineRequest<{ readonly nodeId: string }, null>({ nodeId: nonEmptyString }),
  /** Shows the lineage of a node of the graph in a panel focused on it (Show Lineage from Here). */
  showLineageFrom: defineRequest<{ readonly nodeId: string }, null>({ nodeId: nonEmptyString }),
  copyText: defineRequest<{ readonly text: string }, null>({ text: string }),
  /** Opens the drift panel: a data file (or a run's data) against a run's or a model alias's training data, picked in the host. */
  compareWithTrainingData: defineRequest<{ readonly nodeId: string }, null>({ nodeId: nonEmptyString }),
} satisfies RequestTable;
export type LineageRequests = typeof lineageRequests;

export type LineageEvent =
  /** The store changed: the graph read again. */
  | { readonly type: 'graph'; readonly result: LineageResult }
  /** Stale marks of graph `seq`, once every data node was fingerprinted (bounded in time). */
  | { readonly type: 'stale'; readonly seq: number; readonly marks: StaleView };

/** What the page keeps with getState/setState; the host revives the panel from focus, hops and expansions. */
export interface LineageState {
  readonly focus: LineageFocus;
  readonly hops: number;
  readonly expansions: readonly LineageExpansion[];
  /** Fan-ins the user opened (group node ids). */
  readonly openGroups?: readonly string[];
  readonly selected?: string;
  readonly graphView?: { readonly scale: number; readonly x: number; readonly y: number };
  /** The last graph, to show at once after a reload (dropped when large). */
  readonly last?: LineageResult;
}

const savedState = object<Pick<LineageState, 'focus' | 'hops' | 'expansions'>>({
  focus: lineageFocus,
  hops,
  expansions: arrayOf(lineageExpansion, { max: MAX_EXPANSIONS }),
});

/** A node or edge as far as drawing it needs: an object with a kind and its ids (the rest is read as text). */
const graphPart = (ids: readonly string[]): Check<unknown> => object<Record<string, string>>(Object.fromEntries(['kind', ...ids].map((k) => [k, nonEmptyString])));

const graphResult = object<Record<string, unknown>>({
  kind: oneOf(['graph']),
  seq: integer,
  focus: lineageFocus,
  label: string,
  hops,
  expansions: arrayOf(lineageExpansion, { max: MAX_EXPANSIONS }),
  graph: object<Record<string, unknown>>({
    focus: string,
    nodes: arrayOf(graphPart(['id'])),
    edges: arrayOf(graphPart(['from', 'to'])),
    truncated: arrayOf(object<Record<string, unknown>>({ nodeId: nonEmptyString, side: oneOf(['upstream', 'downstream']), shown: integer, total: optional(integer) })),
    notes: arrayOf(string),
  }),
  staleCheck: boolean,
});
const errorResult = object<Record<string, unknown>>({ kind: oneOf(['error']), focus: lineageFocus, label: string, message: string });

/** Whether a graph or error kept in a saved state can be drawn again (the page's own data, but read back from elsewhere). */
export function isLineageResult(value: unknown): value is LineageResult {
  if (!isRecord(value)) return false;
  return conforms(value.kind === 'error' ? errorResult : graphResult, value);
}

/**
 * Whether a saved state names a focus the host can revive the panel from, and holds nothing that
 * cannot be drawn (a `last` graph that is not one).
 */
export function isLineageState(value: unknown): value is Pick<LineageState, 'focus' | 'hops' | 'expansions' | 'last'> {
  if (!isRecord(value)) return false;
  const { last } = value;
  return conforms(savedState, value) && (last === undefined || isLineageResult(last));
}

/** How a node is named in the graph and in the panel's title. */
export function lineageNodeLabel(node: LineageNode): string {
  switch (node.kind) {
    case 'dataset':
      return node.name || `dataset ${node.digest.slice(0, 8)}`;
    case 'data': {
      const name = node.path.split(/[\\/]/).filter(Boolean).pop();
      return name ?? `data ${(node.sha256 ?? node.dvcMd5?.[0] ?? '').slice(0, 8)}`;
    }
    case 'run':
      return node.runName || `run ${node.runId.slice(0, 8)}`;
    case 'loggedModel':
      return node.name || `model ${node.modelId.slice(0, 8)}`;
    case 'modelVersion':
      return `${node.name} v${node.version}`;
    case 'alias':
      return `${node.name}@${node.alias}`;
  }
}

/** How a ref is named before its node was read. */
export function lineageRefLabel(ref: LineageRef): string {
  switch (ref.kind) {
    case 'dataset':
      return ref.name ?? `dataset ${ref.digest.slice(0, 8)}`;
    case 'data':
      return `data ${ref.hash.slice(0, 8)}`;
    case 'run':
      return `run ${ref.runId.slice(0, 8)}`;
    case 'loggedModel':
      return `model ${ref.modelId.slice(0, 8)}`;
    case 'modelVersion':
      return `${ref.name} v${ref.version}`;
    case 'alias':
      return `${ref.name}@${ref.alias}`;
  }
}

/** The ref that finds a node of a graph again (to expand it, or to focus on it). */
export function refOfNode(node: LineageNode): LineageRef {
  switch (node.kind) {
    case 'dataset':
      return node.anyName ? { kind: 'dataset', digest: node.digest } : { kind: 'dataset', digest: node.digest, name: node.name };
    case 'data':
      return { kind: 'data', hash: node.sha256 ?? node.dvcMd5?.[0] ?? node.id.slice('data:'.length) };
    case 'run':
      return { kind: 'run', runId: node.runId };
    case 'loggedModel':
      return { kind: 'loggedModel', modelId: node.modelId };
    case 'modelVersion':
      return { kind: 'modelVersion', name: node.name, version: node.version };
    case 'alias':
      return { kind: 'alias', name: node.name, alias: node.alias };
  }
}
