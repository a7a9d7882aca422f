// The integration tier must fail when a test inside the extension host fails, and when the suite
// never runs: these run real suites through the same runner `npm test` uses.
import assert from 'node:assert/strict';
import path from 'node:path';
import { runIntegration } from '../../scripts/lib/runIntegration.mjs';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures', 'integrationSuites');

describe('e2e: the integration runner', function () {
  this.timeout(240_000);

  it('counts a failing test inside the extension host as failed', async () => {
    const result = await runIntegration({ suite: path.join(fixtures, 'mixed.cjs'), print: false });
    assert.deepEqual(result, { passed: 1, failed: 1 });
  });

  it('fails when the suite rejects without running any test', async () => {
    const result = await runIntegration({ suite: path.join(fixtures, 'broken.cjs'), timeoutMs: 120_000, print: false });
    assert.deepEqual(result, { passed: 0, failed: 1 });
  });

  it('runs a suite in a fresh host where Labbook activates without its services, which start on first use', async () => {
    const result = await runIntegration({ suite: path.join(fixtures, 'activation.cjs'), print: true });
    assert.deepEqual(result, { passed: 3, failed: 0 });
  });

  it('runs a suite in an untrusted folder, where Labbook refuses to launch code and to read or plan a Feast repository', async () => {
    const result = await runIntegration({ suite: path.join(fixtures, 'restricted.cjs'), trust: false, print: true });
    assert.deepEqual(result, { passed: 4, failed: 0 });
  });
});
