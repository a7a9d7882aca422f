// Wiring of the retraining triggers: the service over the launch target's store, the drift
// measure, the recipe launch, and Labbook: Check Retraining Triggers (also how tests and
// automation run a check, with `{ start: true }` for the Retrain button's effect).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { localStorePath } from '../stores/localStore.ts';
import { LOCAL_ROOT_ID, remoteRootId } from '../stores/storeRoot.ts';
import { retrainDriftShare } from './retrainDrift.ts';
import { RetrainTriggers, type RetrainEvent } from './retrainTriggers.ts';

export interface RetrainWiring {
  readonly log: vscode.LogOutputChannel;
  readonly stores: (rootId: string) => Promise<ReadableStore | undefined>;
}

export function registerRetrainTriggers(deps: RetrainWiring): { retrain: RetrainTriggers; disposables: vscode.Disposable[] } {
  const retrain = new RetrainTriggers({
    log: deps.log,
    store: async () => {
      const target = vscode.workspace.getConfiguration('labbook.launch').get<string>('target', 'local').trim();
      if (target && target !== 'local') return deps.stores(remoteRootId(target));
      // No local store yet: no run to compare with, and no reason to create one.
      return existsSync(localStorePath() ?? '') ? deps.stores(LOCAL_ROOT_ID) : undefined;
    },
    runRecipe: (name, tags) => Promise.resolve(vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runRecipe', name, tags)),
    driftShare: (store, runId, file, recordedPath, cwd) => retrainDriftShare(store, runId, file, recordedPath, cwd),
  });
  const command = vscode.commands.registerCommand('labbook.checkRetrainTriggers', async (name?: unknown, options?: { start?: boolean }): Promise<RetrainEvent[] | undefined> => {
    try {
      const events = await retrain.check(typeof name === 'string' ? name : undefined, { start: options?.start === true });
      // From the palette: say what was decided when nothing else (an offer, a run) did.
      if (name === undefined && events.every((e) => e.action === 'none')) {
        void vscode.window.showInformationMessage(events.length === 0 ? 'No recipe in .labbook/runs.json has a "retrain" trigger.' : events.map((e) => e.decision.reason).join(' '));
      }
      return events;
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not check the retraining triggers: ${errorMessage(err)}`);
      return undefined;
    }
  });
  return { retrain, disposables: [retrain, command] };
}
