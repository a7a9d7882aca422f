// The getting-started walkthrough in the real host. VS Code keeps which steps are done in the
// workbench (the Welcome page's storage), out of the extension API's reach: these tests check what
// the host shows — the walkthrough's editor opens, every step's completion event names a command
// or view the running extension has — and that the completion commands run from a step.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { WALKTHROUGH_ID } from '../../src/host/commands/walkthroughCommands.ts';
import { activateLabbook, waitFor, workspaceStore } from './support.ts';

interface Walkthrough {
  readonly id: string;
  readonly steps: readonly { readonly id: string; readonly completionEvents: readonly string[] }[];
}

const allTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
/**
 * VS Code's Welcome editor. It is titled "Welcome" when it opens, whichever walkthrough it shows
 * (the page sets its walkthrough title later without telling the tab), so the tab cannot tell an
 * unknown walkthrough id from ours: `before` checks the id against the installed manifest.
 */
const isWalkthroughTab = (tab: vscode.Tab) => /^(Welcome|Walkthrough: .+)$/.test(tab.label);

describe('Labbook getting-started walkthrough', () => {
  let walkthrough: Walkthrough;

  before(async () => {
    const { ext } = await activateLabbook();
    const declared = (ext.packageJSON as { contributes: { walkthroughs: Walkthrough[] } }).contributes.walkthroughs;
    const found = declared.find((w) => w.id === WALKTHROUGH_ID);
    assert.ok(found, `the installed manifest declares no walkthrough '${WALKTHROUGH_ID}' (the id Labbook: Get Started opens)`);
    walkthrough = found;
  });

  it('Labbook: Get Started opens the walkthrough in an editor', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(allTabs().some(isWalkthroughTab), false);
    const opened = waitFor(vscode.window.tabGroups.onDidChangeTabs, () => allTabs().some(isWalkthroughTab), 20_000, 'the walkthrough tab');
    await vscode.commands.executeCommand('labbook.openWalkthrough');
    await opened;
    const active = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(active && isWalkthroughTab(active), `the active tab is ${active?.label ?? 'none'}`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('completes each step on a command or view the running extension has', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    assert.equal(walkthrough.steps.length, 6);
    for (const step of walkthrough.steps) {
      assert.ok(step.completionEvents.length > 0, step.id);
      for (const event of step.completionEvents) {
        const [kind, name = ''] = event.split(':');
        // A view's completion fires when it opens; VS Code registers `<view>.focus` for each contributed view.
        const command = kind === 'onView' ? `${name}.focus` : name;
        assert.ok(commands.has(command), `${step.id}: ${event} names nothing the host knows (${command})`);
      }
    }
  });

  it('runs the completion commands of the first steps: the Experiments view opens, Compare opens on two runs', async () => {
    const { other } = await workspaceStore();
    const runs = [await other.createRun({ experimentId: '0', runName: 'walkthrough-a' }), await other.createRun({ experimentId: '0', runName: 'walkthrough-b' })];
    try {
      // See the local store: opening the Experiments view.
      await vscode.commands.executeCommand('labbook.experiments.focus');
      // Compare two runs: the step's command opens the comparison (with nothing selected it opens nothing).
      assert.equal(await vscode.commands.executeCommand('labbook.compareRuns'), undefined);
      const panel = await vscode.commands.executeCommand<{ dispose(): void } | undefined>('labbook.compareRuns', undefined, runs.map((r) => ({ rootId: 'local', runId: r.info.runId })));
      assert.ok(panel, 'the Compare panel opened');
      panel.dispose();
    } finally {
      for (const run of runs) await other.deleteRun(run.info.runId);
      await other.close();
    }
  });
});
