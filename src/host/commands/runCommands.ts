import * as vscode from 'vscode';
import { requireWriter, type ReadableStore, type TrackingStore } from '../../core/store/trackingStore.ts';
import type { StoreChanges } from '../stores/storeChanges.ts';
import type { ExplorerNode, RunNode } from '../trees/experimentsTree.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** The runs a context-menu command acts on: the clicked one, or all selected. */
function targets(node: RunNode | undefined, selected: readonly ExplorerNode[] | undefined, view: vscode.TreeView<ExplorerNode>): RunNode[] {
  const nodes = selected?.length ? selected : node ? [node] : view.selection;
  return nodes.filter((n): n is RunNode => n.kind === 'run');
}

async function storeOf(node: RunNode): Promise<ReadableStore> {
  const store = await node.root.open();
  if (!store) throw new Error(`${node.root.label} is not open`);
  return store;
}

/** The run's store as a writer, or the read-only refusal naming `what` (e.g. `delete run 1f…`). */
async function writerOf(node: RunNode, what: string): Promise<TrackingStore> {
  return requireWriter(await storeOf(node), what);
}

/** Rename, tag, note, delete (with undo): what the Experiments view does to runs. Each publishes a change of the runs' stores, done or not. */
export function registerRunCommands(changes: StoreChanges, view: vscode.TreeView<ExplorerNode>): vscode.Disposable[] {
  const act = async (what: string, runs: readonly RunNode[], work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not ${what}: ${errorMessage(err)}`);
      return false;
    } finally {
      for (const rootId of new Set(runs.map((r) => r.root.id))) changes.publish({ kind: 'data', rootId });
    }
  };
  return [
    vscode.commands.registerCommand('labbook.renameRun', async (node?: RunNode, name?: string) => {
      const [run] = targets(node, undefined, view);
      if (!run) return false;
      const value = name ?? (await vscode.window.showInputBox({ title: 'Rename Run', value: run.run.info.runName, validateInput: (v) => (v.trim() ? undefined : 'A run needs a name.') }));
      if (!value?.trim()) return false;
      return act('rename the run', [run], async () => void (await (await writerOf(run, `update run ${run.run.info.runId}`)).updateRun(run.run.info.runId, { runName: value.trim() })));
    }),
    vscode.commands.registerCommand('labbook.addRunTag', async (node?: RunNode, selected?: readonly ExplorerNode[], text?: string) => {
      const runs = targets(node, selected, view);
      if (runs.length === 0) return false;
      const value = text ?? (await vscode.window.showInputBox({ title: `Add Tag to ${runs.length === 1 ? 'Run' : `${runs.length} Runs`}`, prompt: 'key=value', validateInput: (v) => (/^[^=]+=/.test(v) ? undefined : 'Write it as key=value.') }));
      const match = value ? /^([^=]+)=(.*)$/s.exec(value) : null;
      if (!match?.[1]) return false;
      const tag = { key: match[1].trim(), value: match[2] ?? '' };
      return act(`tag the runs with ${tag.key}`, runs, async () => {
        for (const run of runs) await (await writerOf(run, `tag run ${run.run.info.runId}`)).setTag(run.run.info.runId, tag);
      });
    }),
    vscode.commands.registerCommand('labbook.editRunNote', async (node?: RunNode, note?: string) => {
      const [run] = targets(node, undefined, view);
      if (!run) return false;
      const current = run.run.data.tags.find((t) => t.key === 'mlflow.note.content')?.value ?? '';
      const value = note ?? (await vscode.window.showInputBox({ title: 'Run Note', prompt: 'A note kept with the run (MLflow\'s mlflow.note.content)', value: current }));
      if (value === undefined) return false;
      return act('save the note', [run], async () => (await writerOf(run, `tag run ${run.run.info.runId}`)).setTag(run.run.info.runId, { key: 'mlflow.note.content', value }));
    }),
    vscode.commands.registerCommand('labbook.deleteRuns', async (node?: RunNode, selected?: readonly ExplorerNode[], confirmed?: boolean) => {
      const runs = targets(node, selected, view);
      if (runs.length === 0) return false;
      const label = runs.length === 1 ? `the run '${runs[0]?.run.info.runName}'` : `${runs.length} runs`;
      if (!confirmed) {
        const choice = await vscode.window.showWarningMessage(`Delete ${label}? Deleted runs can be restored.`, { modal: true }, 'Delete');
        if (choice !== 'Delete') return false;
      }
      const ok = await act(`delete ${label}`, runs, async () => {
        for (const run of runs) await (await writerOf(run, `delete run ${run.run.info.runId}`)).deleteRun(run.run.info.runId);
      });
      if (ok) {
        void vscode.window.showInformationMessage(`Deleted ${label}.`, 'Undo').then((choice) => {
          if (choice === 'Undo') void vscode.commands.executeCommand('labbook.restoreRuns', runs);
        });
      }
      return ok;
    }),
    vscode.commands.registerCommand('labbook.restoreRuns', async (runs: readonly RunNode[]) =>
      act('restore the runs', runs, async () => {
        for (const run of runs) await (await writerOf(run, `restore run ${run.run.info.runId}`)).restoreRun(run.run.info.runId);
      }),
    ),
  ];
}
