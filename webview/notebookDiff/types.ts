// The diff model's types, reached through the panel's contract: webviews import only src/protocol,
// and the protocol does not re-export core's names, so they are derived from NotebookDiffData.
import type { NotebookDiffData } from '../../src/protocol/notebookDiff.ts';

export type NotebookDiff = NotebookDiffData['diff'];
export type DiffStats = NotebookDiff['stats'];
export type CellDiff = NotebookDiff['cells'][number];
export type TextDiff = NonNullable<CellDiff['source']>;
export type Hunk = TextDiff['hunks'][number];
export type DiffLine = Hunk['lines'][number];
export type Span = NonNullable<DiffLine['spans']>[number];
export type OutputDiff = NonNullable<CellDiff['outputs']>[number];
export type OutputSummary = NonNullable<OutputDiff['base']>;
export type OutputChange = NonNullable<OutputDiff['changes']>[number];
export type KeyChange = NotebookDiff['metadata'][number];
export type Notebook = NotebookDiffData['base'];
export type NotebookCell = Notebook['cells'][number];
export type CellOutput = NotebookCell['outputs'][number];
