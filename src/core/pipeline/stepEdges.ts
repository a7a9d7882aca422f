// The edges between steps: one per (source step, reading step) with the names passed, plus the
// ordering-only edges of prev: tags (a tag that would make a cycle is ignored, with a warning).
import type { PipelineEdge, PipelineStep, PipelineWarning } from './model.ts';

export function buildEdges(steps: PipelineStep[], warnings: PipelineWarning[]): PipelineEdge[] {
  const order = new Map(steps.map((s, i) => [s.name, i]));
  const edges: PipelineEdge[] = [];
  for (const step of steps) {
    const from = new Map<string, string[]>();
    for (const input of step.inputs) from.set(input.from, [...(from.get(input.from) ?? []), input.name]);
    for (const [source, names] of from) edges.push({ from: source, to: step.name, names });
  }
  for (const step of steps) {
    const at = order.get(step.name) ?? 0;
    for (const prev of step.prev) {
      const prevAt = order.get(prev);
      if (prevAt === undefined) continue;
      if (prevAt >= at) {
        const needs = edges.filter((e) => e.from === step.name && e.to === prev).flatMap((e) => e.names);
        warnings.push({
          kind: 'cycle',
          step: step.name,
          cell: step.cells[0],
          message:
            `The tag prev:${prev} on step '${step.name}' makes a cycle: '${prev}' comes after '${step.name}'` +
            (needs.length ? ` and needs ${needs.map((n) => `\`${n}\``).join(', ')} from it` : ' in the notebook') +
            '. The tag is ignored; steps run in notebook order.',
        });
        continue;
      }
      if (!edges.some((e) => e.from === prev && e.to === step.name)) edges.push({ from: prev, to: step.name, names: [] });
    }
  }
  edges.sort((a, b) => (order.get(a.to) ?? 0) - (order.get(b.to) ?? 0) || (order.get(a.from) ?? 0) - (order.get(b.from) ?? 0));
  return edges;
}
