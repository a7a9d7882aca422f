// Which way a lineage edge flows, for the core (stale marks) and the Lineage webview (layout) alike.

/**
 * The upstream end of a lineage edge (core/lineage/types.ts's LineageEdge). Every kind flows from
 * `from` to `to` but `points-to`: an alias points at a version, and lies downstream of it (upstream
 * of `@champion` is its version).
 */
export function upstreamEnd(edge: { readonly kind: string; readonly from: string; readonly to: string }): string {
  return edge.kind === 'points-to' ? edge.to : edge.from;
}

export function downstreamEnd(edge: { readonly kind: string; readonly from: string; readonly to: string }): string {
  return edge.kind === 'points-to' ? edge.from : edge.to;
}
