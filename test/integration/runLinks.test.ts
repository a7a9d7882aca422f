import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { RunDetailsPanel } from '../../src/host/panels/runDetailsPanel.ts';
import type { RunDetailsResult } from '../../src/protocol/runDetails.ts';
import { workspaceStore } from './support.ts';

// The link the `mlflow` client prints lands on the endpoint's page, which hands the run to VS Code
// through Labbook's URI handler: here the handler opens the run's details in the real extension
// host, and the details carry the run's dataset input and its logged model with linked metrics.
describe('Labbook run links: the URI handler and the run\'s lineage in Run Details', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let runId: string;
  let modelId: string;

  before(async () => {
    ({ api, other } = await workspaceStore());
    const experimentId = await other.createExperiment(`links-${Date.now()}`);
    runId = (await other.createRun({ experimentId, runName: 'linked' })).info.runId;
    await other.logInputs(runId, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris-train', digest: 'd1g3st01', sourceType: 'local', source: '{"uri": "iris.csv"}', profile: '{"num_rows": 150}' } }]);
    modelId = other.transaction(() => other.loggedModels.create({ experimentId, name: 'classifier', sourceRunId: runId })).modelId;
    await other.logOutputs(runId, [{ modelId, step: 1 }]);
    await other.logMetric(runId, { key: 'accuracy', value: 0.91, timestamp: 1, step: 1, modelId, datasetName: 'iris-train', datasetDigest: 'd1g3st01' });
    await vscode.commands.executeCommand('labbook.refreshExperiments');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await other?.close();
  });

  it('opens the run\'s details from a handler link, with its dataset and its logged model', async () => {
    const uri = vscode.Uri.parse(`${vscode.env.uriScheme}://labbook.labbook/run?run=${runId}&experiment=1`);
    const panel = (await api.openLink(uri)) as RunDetailsPanel | undefined;
    assert.ok(panel, 'the handler opened a Run Details panel');
    const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDetails', params: null });
    assert.ok(reply?.ok, JSON.stringify(reply));
    const result = reply.result as RunDetailsResult;
    assert.ok(result.kind === 'details', JSON.stringify(result));
    assert.equal(result.details.overview.runName, 'linked');
    assert.deepEqual(result.details.lineage?.datasets.map((d) => [d.name, d.digest, d.context, d.profile]), [['iris-train', 'd1g3st01', 'training', '{"num_rows": 150}']]);
    assert.deepEqual(result.details.lineage?.models.map((m) => [m.name, m.modelId, m.role, m.metrics.map((x) => [x.key, x.value, x.dataset])]), [['classifier', modelId, 'output', [['accuracy', 0.91, 'iris-train']]]]);
  });

  it('opens nothing for a link that names no run, and "Open Run by ID" opens one', async () => {
    assert.equal(await api.openLink(vscode.Uri.parse(`${vscode.env.uriScheme}://labbook.labbook/run?run=../../etc`)), undefined);
    const panel = await vscode.commands.executeCommand<RunDetailsPanel | undefined>('labbook.openRunById', runId);
    assert.ok(panel, 'the command opened the run');
  });
});
