// Activation and footprint (issue 13, part 4):
// - the VSIX as `npm run package` builds it (production bundle for this platform), its size against
//   a budget; the ms column is the packaging time. This rebuilds dist/ (production), as
//   `npm run package` does.
// - activation in the real extension host: VS Code's server from the code-server package with the
//   extension under development, the web workbench in headless Chromium; the Labbook container is
//   shown (which activates the extension) and `labbook.activationMs` (logged at the end of
//   activate(), measured from its start) is read from the Labbook log file. Also reported: the time
//   from the host's own "activating labbook" log line to ours, which includes loading the bundle.
// Not measured here yet: the extension host's heap after opening a 10k-run experiment and a 20-run
// comparison.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { Benchmark, BenchResult } from './timing.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const VSIX_BUDGET_BYTES = 2.7 * 1024 * 1024;
const ACTIVATION_TARGET_MS = 50;
/** How long the workbench may take to start and activate the extension on a busy machine. */
const ACTIVATION_TIMEOUT_MS = 120_000;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}
interface Server {
  url: string;
  port: number;
  stop(): Promise<void>;
}
interface Profile {
  dir: string;
  serverDataDir: string;
}
interface CodeServerModule {
  freePort: () => Promise<number>;
  makeProfile: (prefix?: string) => Profile;
  startServer: (options: { codeServerPkg: string; profile: Profile; port: number }) => Promise<Server>;
  workbenchUrl: (server: Server, folder: string, payload?: Array<[string, string]>) => string;
}

/** Every file under `dir` whose name ends with `suffix` (bounded depth: VS Code's logs are shallow). */
function filesUnder(dir: string, suffix: string, depth = 6): string[] {
  if (depth < 0) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name), suffix, depth - 1) : e.name.endsWith(suffix) ? [path.join(dir, e.name)] : []));
}

/** The time of the first log line under `dir` that matches `pattern` (VS Code's "2026-12-02 04:39:28.456"), and its match. */
function logLine(dir: string, pattern: RegExp): { at: number; match: RegExpExecArray } | undefined {
  for (const file of filesUnder(dir, '.log')) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = pattern.exec(line);
      // Both logs are written on this machine in its local time: only their difference is used.
      if (match) return { at: new Date(line.slice(0, 23).replace(' ', 'T')).getTime(), match };
    }
  }
  return undefined;
}

async function activationInRealHost(): Promise<BenchResult> {
  // Plain .mjs helpers, shared with the integration runner (imported by path: no types for them).
  const [toolsModule, serverModule, browserModule] = ['../scripts/lib/tools.mjs', '../scripts/lib/codeServer.mjs', '../scripts/lib/browser.mjs'];
  const { ensureCodeServer } = (await import(toolsModule)) as { ensureCodeServer: () => string };
  const { freePort, makeProfile, startServer, workbenchUrl } = (await import(serverModule)) as CodeServerModule;
  const { launchBrowser } = (await import(browserModule)) as { launchBrowser: () => Promise<Browser> };
  const workspace = mkdtempSync(path.join(tmpdir(), 'labbook-bench-activation-'));
  const profile = makeProfile('labbook-bench-vscode-');
  const server = await startServer({ codeServerPkg: ensureCodeServer(), profile, port: await freePort() });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(workbenchUrl(server, workspace, [['extensionDevelopmentPath', ROOT], ['skipWelcome', 'true']]));
    // Showing the Labbook container activates the extension (its views' implicit activation event).
    const icon = page.locator('.activitybar [role=tab][aria-label^="Labbook"], .activitybar .action-item a[aria-label^="Labbook"]').first();
    await icon.waitFor({ state: 'visible', timeout: ACTIVATION_TIMEOUT_MS });
    await icon.click();
    const deadline = Date.now() + ACTIVATION_TIMEOUT_MS;
    const activated = /labbook\.activationMs=([\d.]+)/;
    let done = logLine(profile.serverDataDir, activated);
    while (!done && Date.now() < deadline) {
      await page.waitForTimeout(250);
      done = logLine(profile.serverDataDir, activated);
    }
    if (!done) throw new Error(`no labbook.activationMs in the extension host's logs under ${profile.serverDataDir} within ${ACTIVATION_TIMEOUT_MS} ms`);
    const ms = Number(done.match[1]);
    // The host logs when it starts activating us; from there to our last line includes loading the bundle.
    const begun = logLine(profile.serverDataDir, /ExtensionService#_doActivateExtension labbook\.labbook\b/);
    const withLoading = begun ? `; the host's activation event → activated, bundle loading included: ${done.at - begun.at} ms (reported)` : '';
    return { oursMs: ms, target: `< ${ACTIVATION_TARGET_MS} ms (labbook.activationMs in the real host's Labbook log)${withLoading}`, met: ms < ACTIVATION_TARGET_MS };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(profile.dir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'footprint: VSIX size (npm run package, this platform; ms = packaging time)',
    async run(): Promise<BenchResult> {
      const packageModule = '../scripts/package.mjs';
      const { packageVsix } = (await import(packageModule)) as { packageVsix: (options: { quiet: boolean }) => string };
      const start = performance.now();
      const vsix = packageVsix({ quiet: true });
      const ms = performance.now() - start;
      const bytes = statSync(vsix).size;
      return { oursMs: ms, target: `≤ ${mb(VSIX_BUDGET_BYTES)} (got ${mb(bytes)}, ${path.basename(vsix)})`, met: bytes <= VSIX_BUDGET_BYTES };
    },
  },
  { name: 'footprint: activation in the real extension host (code-server)', run: activationInRealHost },
];
