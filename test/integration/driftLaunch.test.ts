// Drift across two tracked launches in the real extension host: a real Python script reads
// data/customers.csv; between its two runs the file is overwritten with older customers from a
// new city. Each launch stores a profile of the CSV (labbook/data/profile.json); comparing the two
// runs' data in the drift panel flags `age` and `city`, and — since the first run's file has changed
// since it was read — takes that side from the first run's stored profile, marked approximate.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { DriftPanel } from '../../src/host/panels/driftPanel.ts';
import type { DriftView } from '../../src/protocol/drift.ts';
import { until, workspaceStore } from './support.ts';

const SCRIPT = `import csv, sys
rows = list(csv.DictReader(open("data/customers.csv", newline="")))
print(f"labbook: metric rows={len(rows)}")
print(f"labbook: metric mean_age={sum(float(r['age']) for r in rows) / len(rows)}")
`;

/** 600 customers; `shifted` makes them ten years older and mostly from one city. */
function customers(seed: number, shifted: boolean): string {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = ['customer_id,age,city,spend'];
  for (let i = 0; i < 600; i++) {
    const age = Math.round(35 + (shifted ? 10 : 0) + 12 * (rand() + rand() + rand() - 1.5));
    const cities = shifted ? ['Kyoto', 'Kyoto', 'Kyoto', 'Osaka'] : ['Osaka', 'Kobe', 'Nara', 'Kyoto'];
    lines.push(`${5000 + i},${age},${cities[Math.floor(rand() * cities.length)]},${(50 + 30 * (rand() + rand() - 1)).toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('Labbook drift between two tracked launches (real Python)', function () {
  this.timeout(240_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let root: string;
  const runs: string[] = [];
  const panels: DriftPanel[] = [];

  const launchAndFinish = async (file: vscode.Uri): Promise<string> => {
    const launched = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runPythonFile', file);
    assert.ok(launched, 'the script launched as a tracked run');
    runs.push(launched.runId);
    const tracked = api.launches.get(launched.runId)?.tracked;
    if (tracked) await Promise.all([tracked.done, tracked.captured]);
    await until(`run ${launched.runId} to end with its profile`, async () => {
      const run = await other.getRun(launched.runId);
      if (run.info.status === 'RUNNING') return undefined;
      return other.readArtifact(launched.runId, 'labbook/data/profile.json').then(() => true, () => undefined);
    }, 120_000);
    assert.equal((await other.getRun(launched.runId)).info.status, 'FINISHED');
    return launched.runId;
  };

  before(async () => {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api, other } = await workspaceStore());
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test opens a workspace folder');
    root = folder.uri.fsPath;
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', ['data/customers.csv'], vscode.ConfigurationTarget.Workspace);
    mkdirSync(path.join(root, 'data'), { recursive: true });
    writeFileSync(path.join(root, 'read_customers.py'), SCRIPT);
  });

  after(async () => {
    for (const panel of panels) panel.dispose();
    for (const runId of runs) await other?.deleteRun(runId).catch(() => undefined);
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', undefined, vscode.ConfigurationTarget.Workspace);
    await other?.close();
    rmSync(path.join(root, 'read_customers.py'), { force: true });
    rmSync(path.join(root, 'data', 'customers.csv'), { force: true });
  });

  it('flags the columns that changed between the runs, the first side from its stored profile', async () => {
    const script = vscode.Uri.file(path.join(root, 'read_customers.py'));
    writeFileSync(path.join(root, 'data', 'customers.csv'), customers(11, false));
    const first = await launchAndFinish(script);
    const profiles = JSON.parse(new TextDecoder().decode(await other.readArtifact(first, 'labbook/data/profile.json'))) as { profiles: { source: { path: string }; rows: number }[] };
    assert.deepEqual(profiles.profiles.map((p) => [p.source.path, p.rows]), [['data/customers.csv', 600]]);

    writeFileSync(path.join(root, 'data', 'customers.csv'), customers(12, true));
    const second = await launchAndFinish(script);

    const panel = await vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareDataRuns', undefined, [
      { rootId: 'local', runId: second },
      { rootId: 'local', runId: first },
    ]);
    assert.ok(panel, 'a drift panel opened');
    panels.push(panel);
    const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getReport', params: null });
    assert.ok(reply?.ok, `getReport answered: ${JSON.stringify(reply)}`);
    const view = reply.result as DriftView;
    assert.deepEqual(view.report.columns.filter((c) => c.drifted).map((c) => c.column).sort(), ['age', 'city']);
    assert.match(view.report.columns.find((c) => c.column === 'customer_id')?.skipped ?? '', /identifies rows/);
    assert.equal(view.report.reference.runId, first);
    assert.equal(view.report.reference.fromProfile, true, 'the first run’s file changed since: its stored profile stands in');
    assert.equal(view.report.current.fromProfile, false);
    assert.ok(view.report.notes.some((n) => /approximate/.test(n)), view.report.notes.join(' | '));
  });
});
