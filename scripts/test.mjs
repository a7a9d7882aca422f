// `npm test`: type-check, lint, build, then every test tier; ends with one line
// `N passed, N failed` over all tiers. `npm test -- unit webview` runs just those tiers.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runIntegration } from './lib/runIntegration.mjs';
import { ensureChromium, ensureCodeServer, ensureFeastVenv, ensurePeerVenv, ensurePythonVenv, root } from './lib/tools.mjs';

const TIERS = ['unit', 'interop', 'webview', 'integration', 'e2e'];
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((t) => !TIERS.includes(t));
if (unknown.length) {
  console.error(`unknown tier ${unknown.join(', ')}: choose from ${TIERS.join(', ')}`);
  process.exit(2);
}
const tiers = requested.length ? requested : TIERS;
const full = requested.length === 0;
const node = process.execPath;

function step(title) {
  console.log(`\n━━ ${title}`);
}

function runChecked(title, args) {
  step(title);
  const result = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

/**
 * A mocha tier in its own Node process; counts come back through the summary reporter. `retries`
 * runs a failed test once more (the e2e tier: a click racing a re-render of VS Code's UI); every
 * retry is printed and listed in the summary, so a flaky step stays visible.
 */
function mochaTier(tier, { timeout = 10_000, retries = 0 } = {}) {
  step(`${tier} tests`);
  const dir = mkdtempSync(path.join(tmpdir(), `labbook-${tier}-`));
  const resultsFile = path.join(dir, 'results.json');
  const result = spawnSync(node, [
    path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'),
    '--reporter', path.join(root, 'scripts', 'lib', 'summaryReporter.cjs'),
    '--timeout', String(timeout),
    '--retries', String(retries),
    '--extension', 'ts',
    '--recursive',
    `test/${tier}`,
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, LABBOOK_RESULTS_FILE: resultsFile } });
  try {
    const counts = JSON.parse(readFileSync(resultsFile, 'utf8'));
    // Mocha that crashed after reporting still fails the tier.
    for (const retry of counts.retried ?? []) retriedLines.push(`${tier}: ${retry.title} (${retry.error})`);
    return { passed: counts.passed, failed: counts.failed || (result.status === 0 ? 0 : 1) };
  } catch {
    console.error(`${tier}: mocha exited with ${result.status ?? result.signal} before reporting results`);
    return { passed: 0, failed: 1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const outcome = { passed: 0, failed: 0 };
const lines = [];
const retriedLines = [];
function count(name, result) {
  outcome.passed += result.passed;
  outcome.failed += result.failed;
  lines.push(`${name.padEnd(12)} ${result.passed} passed, ${result.failed} failed`);
}

// Static checks gate the run like tests do: one failed check counts as one failure.
if (full) {
  count('types', runChecked('type check (tsc, strict, per layer)', ['scripts/checkTypes.mjs']) ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });
  count('lint', runChecked('lint (eslint)', ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', '.']) ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });
}

const needsBuild = tiers.some((t) => t !== 'unit' && t !== 'interop');
if (needsBuild && !runChecked('build (esbuild)', ['esbuild.mjs'])) {
  count('build', { passed: 0, failed: 1 });
} else {
  if (tiers.some((t) => t === 'webview' || t === 'integration' || t === 'e2e')) ensureChromium();
  if (tiers.some((t) => t === 'integration' || t === 'e2e')) ensureCodeServer();
  // The Python venv (mlflow, tensorboardX, …) for tests that meet real Python software.
  if (tiers.some((t) => t !== 'webview')) process.env.LABBOOK_TEST_PYTHON ??= ensurePythonVenv();
  if (tiers.includes('interop')) process.env.LABBOOK_PEER_PYTHON ??= ensurePeerVenv();
  // Feast (requirements-feast.txt): the Feature Store view reads real registries.
  if (tiers.some((t) => t === 'interop' || t === 'integration' || t === 'e2e')) process.env.LABBOOK_FEAST_PYTHON ??= ensureFeastVenv();
  mkdirSync(path.join(root, 'test-output'), { recursive: true });
  for (const tier of tiers) {
    if (tier === 'integration') {
      step('integration tests (inside a VS Code extension host)');
      try {
        count(tier, await runIntegration());
      } catch (err) {
        console.error(`integration: ${err.stack ?? err}`);
        count(tier, { passed: 0, failed: 1 });
      }
    } else {
      count(tier, mochaTier(tier, { timeout: tier === 'unit' ? 10_000 : 120_000, retries: tier === 'e2e' ? 1 : 0 }));
    }
  }
}

console.log(`\n━━ summary\n${lines.join('\n')}`);
if (retriedLines.length) console.log(`passed or failed on a second try:\n  ${retriedLines.join('\n  ')}`);
console.log(`${outcome.passed} passed, ${outcome.failed} failed`);
process.exit(outcome.failed === 0 && outcome.passed > 0 ? 0 : 1);
