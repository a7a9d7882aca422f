// The status-bar item while a sweep runs (`$(beaker~spin) name 7/20`, click: the sweep panel) and
// the notification when one ends, with its best trial and "Compare Top 5".
import * as vscode from 'vscode';
import type { QueueItem } from '../../core/queue/types.ts';
import type { SweepRecord, TrialRecord } from '../../core/sweep/types.ts';
import { formatNumber } from '../../shared/format.ts';
import { bestTrial, sweepDescription, type SweepSummary } from '../queue/queueModel.ts';
import { sweepRootId } from './sweepPanelData.ts';

/** The runs of the `count` best finished trials (one run per trial: its first seed's), best first. */
export function topTrialRuns(sweep: SweepRecord, trials: readonly TrialRecord[], items: readonly QueueItem[], count: number): string[] {
  const sign = sweep.spec.objective.goal === 'minimize' ? 1 : -1;
  const ranked = trials.filter((t) => t.state === 'finished' && t.value !== undefined && Number.isFinite(t.value)).sort((a, b) => sign * ((a.value ?? 0) - (b.value ?? 0)));
  const runs: string[] = [];
  for (const trial of ranked) {
    const run = items.filter((i) => i.trialNumber === trial.number && i.state === 'finished' && i.runId).sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0))[0]?.runId;
    if (run) runs.push(run);
    if (runs.length >= count) break;
  }
  return runs;
}

export class SweepStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('labbook.sweeps', vscode.StatusBarAlignment.Left, 49);
    this.item.name = 'Labbook Sweeps';
  }

  /** Shows the running sweeps (the newest first), or hides the item when none runs. */
  update(summaries: readonly SweepSummary[]): void {
    const running = summaries.filter((s) => s.sweep.state === 'running').sort((a, b) => b.sweep.createdAt - a.sweep.createdAt);
    const first = running[0];
    if (!first) {
      this.item.hide();
      return;
    }
    const { sweep, trials, total } = first;
    const ended = trials.filter((t) => t.state !== 'queued' && t.state !== 'running').length;
    this.item.text = `$(beaker~spin) ${sweep.name} ${ended}/${total ?? trials.length}${running.length > 1 ? ` (+${running.length - 1})` : ''}`;
    const count = (state: string) => trials.filter((t) => t.state === state).length;
    const best = bestTrial(sweep, trials);
    this.item.tooltip = new vscode.MarkdownString(
      [
        `**Sweep ${sweep.name}** (${sweep.spec.method}): ${sweepDescription(first)}`,
        '',
        `${count('running')} running, ${count('queued')} queued, ${count('finished')} finished, ${count('pruned')} pruned, ${count('failed')} failed`,
        '',
        best?.value !== undefined ? `Best so far: ${sweep.spec.objective.metric} = ${formatNumber(best.value)} (trial ${best.number})` : `No finished trial yet (${sweep.spec.objective.goal} ${sweep.spec.objective.metric})`,
        ...running.slice(1).map((s) => `- also running: ${s.sweep.name} (${sweepDescription(s)})`),
        '',
        'Click to open the sweep.',
      ].join('\n'),
    );
    this.item.command = { command: 'labbook.openSweep', title: 'Open Sweep', arguments: [sweep.sweepId] };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** "Sweep <name> finished: best <metric> = <value> (trial N)", with Compare Top 5 and Open Sweep. */
export async function notifySweepEnded(sweep: SweepRecord, best: TrialRecord | undefined, top: () => string[]): Promise<void> {
  const compare = 'Compare Top 5';
  const open = 'Open Sweep';
  const how = sweep.state === 'finished' ? 'finished' : sweep.state === 'stopped' ? 'was stopped' : sweep.state;
  const text =
    best?.value !== undefined
      ? `Sweep ${sweep.name} ${how}: best ${sweep.spec.objective.metric} = ${formatNumber(best.value)} (trial ${best.number}).`
      : `Sweep ${sweep.name} ${how} with no finished trial${sweep.note ? `: ${sweep.note}` : '.'}`;
  const show = sweep.state === 'failed' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
  const choice = await show(text, ...(best ? [compare] : []), open);
  if (choice === open) await vscode.commands.executeCommand('labbook.openSweep', sweep.sweepId);
  if (choice === compare) {
    const runs = top();
    const rootId = sweepRootId(sweep);
    if (runs.length === 1) await vscode.commands.executeCommand('labbook.openRunDetails', { rootId, runId: runs[0] });
    else if (runs.length > 1) await vscode.commands.executeCommand('labbook.compareRuns', undefined, runs.map((runId) => ({ rootId, runId })));
  }
}
