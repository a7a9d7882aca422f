// Editing a notebook's steps from the preview panel by cell tags (Kale's `step:<name>` and
// `prev:<name>`): works out the new tag list of each affected cell, and rewrites an .ipynb's JSON
// with just those tags changed. No `vscode` import: the host applies the result to an open
// notebook (a WorkspaceEdit) or to the file.
//
// A notebook whose steps come from `# %% [step]` markers, `## ` headings or nothing at all is first
// "materialised": each step's first cell gets `step:<its name>`, which gives the same steps in tag
// mode (untagged cells join the step above), so one edit does not collapse the other steps.
import type { StepMode } from '../../core/pipeline/steps.ts';

export type StepEdit =
  | { readonly kind: 'rename'; readonly step: string; readonly name: string }
  | { readonly kind: 'merge'; readonly step: string }
  | { readonly kind: 'split'; readonly cell: number; readonly name: string };

export interface StepOutline {
  readonly name: string;
  /** For tag mode, the name as written in the `step:` tag. */
  readonly title: string;
  readonly cells: readonly number[];
}

/** A step edit the notebook does not allow; the message is for the user. */
export class StepEditError extends Error {
  override readonly name = 'StepEditError';
}

const STEP_TAG = /^(?:step|block):(.+)$/;
const PREV_TAG = /^prev:(.+)$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot name a new step, or undefined when it can. */
export function stepNameProblem(name: string, steps: readonly StepOutline[], except?: string): string | undefined {
  if (!IDENTIFIER.test(name)) return 'A step name is a Python identifier: letters, digits and underscores, not starting with a digit.';
  const taken = steps.some((s) => s.name !== except && (s.name === name || s.title === name));
  return taken ? `There is already a step named '${name}'.` : undefined;
}

const stepOf = (tag: string) => STEP_TAG.exec(tag)?.[1]?.trim();
const prevOf = (tag: string) => PREV_TAG.exec(tag)?.[1]?.trim();

/**
 * The tags each changed cell should have after `edit` (cell index → the full new tag list).
 * `cellTags` holds every cell's current tags (as written, in notebook order).
 */
export function planTagEdits(cellTags: readonly (readonly string[])[], mode: StepMode, steps: readonly StepOutline[], edit: StepEdit): Map<number, string[]> {
  const tags = cellTags.map((t) => [...t]);
  // The name each step goes by in `step:` tags once the edit is done.
  const tagNames = new Map<string, string>();
  if (mode === 'tags') {
    for (const s of steps) tagNames.set(s.name, s.title);
  } else {
    for (const s of steps) {
      const first = s.cells[0];
      if (first === undefined) continue;
      const cell = tags[first] ?? [];
      tags[first] = [...cell.filter((t) => stepOf(t) === undefined), `step:${s.name}`];
      tagNames.set(s.name, s.name);
    }
  }
  const find = (name: string): StepOutline => {
    const step = steps.find((s) => s.name === name);
    if (!step) throw new StepEditError(`The notebook has no step '${name}' any more; the preview was out of date.`);
    return step;
  };
  /** Every `step:from` becomes `step:to`, every `prev:from` becomes `prev:to`. */
  const retarget = (from: string, to: string) => {
    tags.forEach((cell, i) => {
      tags[i] = cell.map((t) => (stepOf(t) === from ? `step:${to}` : prevOf(t) === from ? `prev:${to}` : t));
    });
  };

  switch (edit.kind) {
    case 'rename': {
      const step = find(edit.step);
      const problem = stepNameProblem(edit.name, steps, step.name);
      if (problem) throw new StepEditError(problem);
      retarget(tagNames.get(step.name) ?? step.name, edit.name);
      break;
    }
    case 'merge': {
      const at = steps.findIndex((s) => s.name === edit.step);
      if (at < 0) find(edit.step);
      const into = steps[at - 1];
      if (!into) throw new StepEditError(`'${edit.step}' is the first step: there is no step before it to merge into.`);
      const target = tagNames.get(into.name) ?? into.name;
      retarget(tagNames.get(edit.step) ?? edit.step, target);
      // A step does not come after itself.
      tags.forEach((cell, i) => {
        if (cell.some((t) => stepOf(t) === target) || into.cells.includes(i) || find(edit.step).cells.includes(i)) {
          tags[i] = cell.filter((t) => prevOf(t) !== target);
        }
      });
      break;
    }
    case 'split': {
      const step = steps.find((s) => s.cells.includes(edit.cell));
      if (!step) throw new StepEditError(`Cell ${edit.cell + 1} is not part of a step (imports, functions, parameters, metrics and skipped cells are not).`);
      if (step.cells[0] === edit.cell) throw new StepEditError(`Cell ${edit.cell + 1} already starts the step '${step.name}'.`);
      const problem = stepNameProblem(edit.name, steps);
      if (problem) throw new StepEditError(problem);
      const cell = tags[edit.cell] ?? [];
      tags[edit.cell] = [...cell.filter((t) => stepOf(t) === undefined), `step:${edit.name}`];
      break;
    }
  }
  const changed = new Map<number, string[]>();
  tags.forEach((cell, i) => {
    const unique = [...new Set(cell)];
    const before = cellTags[i] ?? [];
    if (unique.length !== before.length || unique.some((t, k) => t !== before[k])) changed.set(i, unique);
  });
  return changed;
}

/**
 * The .ipynb text with the tags of the changed cells replaced and nothing else touched (key order,
 * indentation and the trailing newline kept). An empty list removes the `tags` key.
 */
export function rewriteNotebookTags(text: string, changes: ReadonlyMap<number, readonly string[]>): string {
  const json = JSON.parse(text) as { cells?: unknown };
  if (!Array.isArray(json.cells)) throw new StepEditError('The file is not a notebook: it has no cell list.');
  const cells = json.cells as unknown[];
  for (const [index, next] of changes) {
    const cell = cells[index];
    if (typeof cell !== 'object' || cell === null) throw new StepEditError(`The notebook has no cell ${index + 1}.`);
    const record = cell as Record<string, unknown>;
    const metadata = typeof record.metadata === 'object' && record.metadata !== null && !Array.isArray(record.metadata) ? (record.metadata as Record<string, unknown>) : {};
    if (next.length === 0) delete metadata.tags;
    else metadata.tags = [...next];
    record.metadata = metadata;
  }
  const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? ' ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = JSON.stringify(json, null, indent);
  if (eol === '\r\n') out = out.replace(/\n/g, '\r\n');
  return /\r?\n$/.test(text) ? out + eol : out;
}
