// The merge model's types, reached through the panel's contract: webviews import only src/protocol,
// so they are derived from NotebookMergeData.
import type { NotebookMergeData } from '../../src/protocol/notebookMerge.ts';

export type NotebookMerge = NotebookMergeData['merge'];
export type MergeResolutions = NotebookMergeData['resolutions'];
export type CellResolution = MergeResolutions['cells'][number];
export type MergedCell = NotebookMerge['cells'][number];
export type CellConflict = MergedCell['conflicts'][number];
export type SourceRegion = Extract<CellConflict, { kind: 'source' }>['regions'][number];
export type KeyConflict = NotebookMerge['metadata']['conflicts'][number];
export type NotebookCell = MergedCell['cell'];
export type OutputPolicy = NonNullable<CellResolution['outputs']>;
export type Side = 'base' | 'local' | 'remote';
