// What every writer of the generated package shares: the export's inputs (GenerateContext) and
// the facts several files repeat (first-party modules for import sorting, which step owns each metric).
import type { Dataflow } from './dataflow.ts';
import type { PythonParser } from './pythonParser.ts';

export interface GenerateContext {
  /** The notebook's file name (`churn.ipynb`), for docstrings and the flow's class name. */
  notebookName: string;
  /** The notebook's folder relative to the package folder, with forward slashes (`../../notebooks`): the steps run there. */
  notebookDir: string;
  flow: Dataflow;
  parser: PythonParser;
}

/** The names in the project root ruff counts as first party. */
export const FIRST_PARTY: ReadonlySet<string> = new Set(['steps', 'pipeline']);

/** Each metric with the last step that outputs it (the value pipeline.py and flow.py report). */
export function metricOwners(flow: Dataflow): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (const metric of flow.metrics) {
    const owner = [...flow.steps].reverse().find((s) => s.outputs.some((o) => o.name === metric));
    if (owner) result.push([metric, owner.name]);
  }
  return result;
}
