// Notebook cells in VS Code for the pipeline features: finding the open document of a notebook,
// showing a cell, and writing cell tags (through the open notebook when there is one, so the editor
// and the file agree, else straight into the .ipynb).
import { readFile, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { rewriteNotebookTags } from './stepTags.ts';

/** The notebook document VS Code has open for the file, if any. */
export function openNotebookFor(file: string): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
}

/** Saves the open notebook when it has unsaved changes, so what is on disk is what the user sees. */
export async function saveIfDirty(file: string): Promise<void> {
  const doc = openNotebookFor(file);
  if (doc?.isDirty) await doc.save();
}

/**
 * Where the ipynb serializer keeps a cell's nbformat metadata: `metadata.metadata` (VS Code ≥ 1.86)
 * or `metadata.custom.metadata` (older).
 */
function nbformatMetadata(cell: vscode.NotebookCell): Record<string, unknown> {
  const md = cell.metadata as Record<string, unknown>;
  const custom = md.custom as Record<string, unknown> | undefined;
  const inner = (custom && typeof custom === 'object' ? custom.metadata : md.metadata) as Record<string, unknown> | undefined;
  return inner && typeof inner === 'object' ? inner : {};
}

/** The cell's nbformat tags (`parameters`, `step:…`), as the serializer keeps them. */
export function cellTagsOf(cell: vscode.NotebookCell): string[] {
  const tags = nbformatMetadata(cell).tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

function withTags(cell: vscode.NotebookCell, tags: readonly string[]): Record<string, unknown> {
  const md = { ...(cell.metadata as Record<string, unknown>) };
  const inner = { ...nbformatMetadata(cell) };
  if (tags.length === 0) delete inner.tags;
  else inner.tags = [...tags];
  const custom = md.custom as Record<string, unknown> | undefined;
  if (custom && typeof custom === 'object') md.custom = { ...custom, metadata: inner };
  else md.metadata = inner;
  return md;
}

/** The nbformat cell id the serializer keeps, if any. */
export function cellIdOf(cell: vscode.NotebookCell): string | undefined {
  const md = cell.metadata as Record<string, unknown>;
  const custom = md.custom as Record<string, unknown> | undefined;
  const id = custom && typeof custom === 'object' ? custom.id : md.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Sets the tags of the given cells (index → full tag list) and saves. With the notebook open, a
 * WorkspaceEdit keeps the rest of each cell's metadata and the editor's undo stack; otherwise the
 * .ipynb JSON is rewritten with only the tags changed.
 */
export async function applyCellTags(file: string, changes: ReadonlyMap<number, readonly string[]>, expectedCells: number): Promise<void> {
  if (changes.size === 0) return;
  const doc = openNotebookFor(file);
  if (doc) {
    if (doc.cellCount !== expectedCells) throw new Error(`The open notebook has ${doc.cellCount} cells but the file has ${expectedCells}; save it and try again.`);
    const edit = new vscode.WorkspaceEdit();
    edit.set(
      doc.uri,
      [...changes].map(([index, tags]) => vscode.NotebookEdit.updateCellMetadata(index, withTags(doc.cellAt(index), tags))),
    );
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('VS Code refused the edit to the notebook.');
    if (!(await doc.save())) throw new Error(`Could not save ${file}.`);
    return;
  }
  const text = await readFile(file, 'utf8');
  await writeFile(file, rewriteNotebookTags(text, changes), 'utf8');
}

/** Opens the notebook (in its editor when visible) with the cell selected and in view. */
export async function revealCell(file: string, index: number, line?: number): Promise<vscode.NotebookEditor> {
  const uri = vscode.Uri.file(file);
  const doc = openNotebookFor(file) ?? (await vscode.workspace.openNotebookDocument(uri));
  if (index < 0 || index >= doc.cellCount) throw new Error(`${file} has no cell ${index + 1}.`);
  const range = new vscode.NotebookRange(index, index + 1);
  const visible = vscode.window.visibleNotebookEditors.find((e) => e.notebook === doc);
  const editor = await vscode.window.showNotebookDocument(doc, {
    selections: [range],
    ...(visible?.viewColumn ? { viewColumn: visible.viewColumn } : {}),
    preserveFocus: false,
  });
  editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  if (line !== undefined && line > 0) {
    // Put the cursor on the line in the cell's text editor, once it exists.
    const cellUri = doc.cellAt(index).document.uri.toString();
    const textEditor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === cellUri);
    if (textEditor) {
      const position = new vscode.Position(Math.min(line - 1, textEditor.document.lineCount - 1), 0);
      textEditor.selection = new vscode.Selection(position, position);
    }
  }
  return editor;
}
