// A layered layout of the step DAG, computed here so the picture is stable (no force layout):
// each step's layer is its longest path from a source; within a layer, steps sit near the average
// row of their predecessors (one barycentre pass), ties in notebook order.

export interface LaidOutNode {
  readonly name: string;
  readonly layer: number;
  readonly row: number;
  /** Steps in this node's layer. */
  readonly layerSize: number;
}

export function layerSteps(names: readonly string[], edges: readonly { readonly from: string; readonly to: string }[]): LaidOutNode[] {
  const known = new Set(names);
  const preds = new Map<string, string[]>(names.map((n) => [n, []]));
  const succs = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    preds.get(e.to)?.push(e.from);
    succs.get(e.from)?.push(e.to);
  }
  // Kahn's order; steps on a cycle (the export warns about those) are placed after their known predecessors.
  const layer = new Map<string, number>();
  const indegree = new Map(names.map((n) => [n, preds.get(n)?.length ?? 0]));
  const queue = names.filter((n) => indegree.get(n) === 0);
  const placed = new Set<string>();
  const place = (n: string) => {
    placed.add(n);
    layer.set(n, Math.max(0, ...(preds.get(n) ?? []).filter((p) => placed.has(p)).map((p) => (layer.get(p) ?? 0) + 1)));
  };
  for (;;) {
    while (queue.length) {
      const n = queue.shift() as string;
      place(n);
      for (const s of succs.get(n) ?? []) {
        const d = (indegree.get(s) ?? 0) - 1;
        indegree.set(s, d);
        if (d === 0) queue.push(s);
      }
    }
    const stuck = names.find((n) => !placed.has(n));
    if (stuck === undefined) break;
    indegree.set(stuck, 0);
    queue.push(stuck);
  }
  const layers: string[][] = [];
  for (const n of names) (layers[layer.get(n) ?? 0] ??= []).push(n);
  const row = new Map<string, number>();
  for (const members of layers) {
    if (!members) continue;
    const centre = (n: string) => {
      const rows = (preds.get(n) ?? []).map((p) => row.get(p)).filter((r): r is number => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Number.POSITIVE_INFINITY;
    };
    const order = members.map((n, i) => ({ n, i, c: centre(n) })).sort((a, b) => (a.c === b.c ? a.i - b.i : a.c - b.c));
    order.forEach(({ n }, r) => row.set(n, r));
  }
  return names.map((name) => {
    const l = layer.get(name) ?? 0;
    return { name, layer: l, row: row.get(name) ?? 0, layerSize: layers[l]?.length ?? 1 };
  });
}
