// Show Feature Statistics…: a feature view's offline file source, cut into two periods by its
// timestamp field (src/core/feast/featureWindows.ts), opened in the drift panel, which profiles
// both (histograms, nulls, ranges) and tests each feature between them. Reads data only: no code
// of the repository runs.
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { featureWindows, type FeatureWindows, type PeriodChoice } from '../../core/feast/featureWindows.ts';
import { ensurePrivateFolder } from '../../core/system/privateFolder.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { FeatureStoreNode } from './featureStoreModel.ts';
import type { FeatureStoreTreeProvider } from './featureStoreTree.ts';

const PERIODS: readonly { readonly label: string; readonly detail: string; readonly choice: PeriodChoice }[] = [
  { label: 'The two halves of its time range', detail: 'from the oldest event to the middle, against the middle to the newest', choice: 'halves' },
  { label: 'The last week against the week before', detail: 'ending at the newest event', choice: 'week' },
  { label: 'The last day against the day before', detail: 'ending at the newest event', choice: 'day' },
];

/** What was compared (tests); undefined when nothing was (not a file source, a choice cancelled). */
export interface FeatureStatistics {
  readonly windows: FeatureWindows;
  readonly panel: unknown;
}

export async function showFeatureStatistics(tree: FeatureStoreTreeProvider, node: FeatureStoreNode | undefined, options: { period?: PeriodChoice } = {}): Promise<FeatureStatistics | undefined> {
  if (node?.kind !== 'object' || node.object.kind !== 'featureView') return undefined;
  const view = node.object;
  const read = await tree.registryOf(node.repo);
  const project = read?.ok ? read.registry.projects.find((p) => p.name === node.project) : undefined;
  const source = project?.dataSources.find((s) => s.name === view.source);
  const file = source?.type === 'FileSource' ? source.detail['path'] : undefined;
  if (!source || !file || /^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
    void vscode.window.showInformationMessage(
      `Feature statistics read a local file source; the source of ${view.name} is ${source ? `${source.name} (${source.type}${file ? `, ${file}` : ''})` : 'not in the registry'}.`,
    );
    return undefined;
  }
  if (!source.timestampField) {
    void vscode.window.showInformationMessage(`The source ${source.name} of ${view.name} has no timestamp field to cut it into periods.`);
    return undefined;
  }
  const choice = options.period ?? (await vscode.window.showQuickPick(PERIODS, { title: `Feature statistics of ${view.name}: compare which periods?` }))?.choice;
  if (!choice) return undefined;
  const uid = process.getuid?.();
  const outDir = ensurePrivateFolder(path.join(os.tmpdir(), uid === undefined ? 'labbook-feast-periods' : `labbook-feast-periods-${uid}`), 'labbook-feast-periods-');
  let windows: FeatureWindows;
  try {
    windows = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading ${path.basename(file)} for ${view.name}…` }, () =>
      featureWindows(path.resolve(node.repo.folder, file), source.timestampField, view.features.map((f) => f.name), choice, outDir, view.name),
    );
  } catch (err) {
    void vscode.window.showErrorMessage(`Labbook could not read the source of ${view.name}: ${errorMessage(err)}`);
    return undefined;
  }
  if (windows.missing.length) void vscode.window.showWarningMessage(`${view.name}: the source has no column ${windows.missing.join(', ')}; the other features are compared.`);
  if (!windows.reference.rows || !windows.current.rows) {
    void vscode.window.showInformationMessage(`${view.name}: ${windows.reference.rows} rows from ${windows.reference.start} to ${windows.reference.end}, ${windows.current.rows} from then to ${windows.current.end}; pick periods that both hold data.`);
    return { windows, panel: undefined };
  }
  const panel = await vscode.commands.executeCommand('labbook.compareData', { store: null, reference: { kind: 'file', path: windows.reference.file }, current: { kind: 'file', path: windows.current.file } });
  return { windows, panel };
}
