// Runs a mocha suite inside a real VS Code extension host: VS Code's server from the code-server
// package, the web workbench in headless Chromium, and the `extensionTestsPath` test payload (the
// contract @vscode/test-electron uses on the desktop). The workbench calls codeAutomationExit
// with 0 when the suite's run() resolves and 1 when it rejects.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { freePort, makeProfile, startServer, workbenchUrl } from './codeServer.mjs';
import { ensureCodeServer, root } from './tools.mjs';

export async function runIntegration({
  extensionDir = root,
  suite = path.join(root, 'out', 'test', 'integration', 'index.js'),
  workspaceTemplate = path.join(root, 'demo', 'workspace'),
  timeoutMs = 900_000,
  verbose = process.env.LABBOOK_VERBOSE === '1',
  print = true,
  // false opens the folder untrusted (Restricted Mode).
  trust = true,
} = {}) {
  if (!existsSync(suite)) throw new Error(`${suite} is missing: build first (node esbuild.mjs)`);
  const codeServer = ensureCodeServer();
  const work = mkdtempSync(path.join(tmpdir(), 'labbook-integration-'));
  const workspace = path.join(work, 'workspace');
  cpSync(workspaceTemplate, workspace, { recursive: true });
  const resultsFile = path.join(work, 'results.json');
  const profile = makeProfile();
  const server = await startServer({
    codeServerPkg: codeServer,
    profile,
    port: await freePort(),
    trust,
    env: { LABBOOK_RESULTS_FILE: resultsFile, LABBOOK_TEST_WORKSPACE: workspace, LABBOOK_ROOT: root },
    // The report comes back through the results file; the server's own log only when asked.
    log: verbose ? (text) => process.stdout.write(text) : undefined,
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    let settle;
    const exitCode = new Promise((resolve) => (settle = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => settle(Number(code)));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      if (verbose) console.log(`[workbench ${type}]`, ...(Array.isArray(args) ? args : [args]));
    });
    await page.goto(workbenchUrl(server, workspace, [
      ['extensionDevelopmentPath', extensionDir],
      ['extensionTestsPath', suite],
      ['skipWelcome', 'true'],
    ]));
    let timer;
    const code = await Promise.race([exitCode, new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    if (code === 'timeout') {
      console.error(`integration: the suite did not finish within ${timeoutMs / 1000} s`);
      return { passed: 0, failed: 1 };
    }
    if (!existsSync(resultsFile)) {
      if (print) console.error(`integration: the suite exited with ${code} without reporting results`);
      return { passed: 0, failed: 1 };
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    if (print) printResults(results.tests);
    // A rejected run() with no failed test (e.g. the suite failed to load) still counts as a failure.
    return { passed: results.passed, failed: code !== 0 && results.failed === 0 ? 1 : results.failed };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(profile.dir, { recursive: true, force: true });
  }
}

/** Prints the suite's outcome the way mocha's spec reporter would, from the results file. */
function printResults(tests) {
  for (const test of tests) {
    const mark = { passed: '  ✔', failed: '  ✘', skipped: '  -' }[test.state];
    console.log(`${mark} ${test.title}`);
    if (test.error) console.log(test.error.replace(/^/gm, '      '));
  }
}
