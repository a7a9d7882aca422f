// Starts a VS Code server from the code-server package on 127.0.0.1, in its own process group,
// with throwaway data and extensions folders, and stops it (the whole group) again.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** No gallery, no telemetry, no updates: nothing may try the internet. */
const SERVER_ENV = {
  EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
};
const SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function makeProfile(prefix = 'labbook-vscode-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const profile = {
    dir,
    serverDataDir: path.join(dir, 'server-data'),
    userDataDir: path.join(dir, 'user-data'),
    extensionsDir: path.join(dir, 'extensions'),
  };
  for (const sub of [profile.serverDataDir, profile.userDataDir, profile.extensionsDir]) mkdirSync(sub, { recursive: true });
  // VS Code web keeps user settings in the browser; the server's machine settings apply to all.
  for (const settingsDir of [path.join(profile.serverDataDir, 'data', 'Machine'), path.join(profile.userDataDir, 'User')]) {
    mkdirSync(settingsDir, { recursive: true });
    writeFileSync(path.join(settingsDir, 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  }
  return profile;
}

/** Installs a VSIX into the profile's extensions folder with code-server's CLI. */
export function installVsix(codeServerPkg, profile, vsix) {
  const result = spawnSync(process.execPath, [
    path.join(codeServerPkg, 'out', 'node', 'entry.js'),
    '--extensions-dir', profile.extensionsDir,
    '--user-data-dir', profile.userDataDir,
    '--install-extension', vsix,
  ], { encoding: 'utf8', env: { ...process.env, ...SERVER_ENV, XDG_CONFIG_HOME: profile.dir, XDG_DATA_HOME: profile.dir }, timeout: 120_000 });
  if (result.status !== 0) throw new Error(`installing ${vsix} failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * mode 'server': VS Code's own server (server-main.js), with the smoke-test driver that lets a
 * test payload run an extension test suite. mode 'code-server': code-server's CLI, for people.
 */
export async function startServer({ codeServerPkg, profile, port, mode = 'server', env = {}, workspace, log, trust = true }) {
  const common = ['--host', '127.0.0.1', '--port', String(port), '--extensions-dir', profile.extensionsDir];
  const args = mode === 'server'
    ? [path.join(codeServerPkg, 'lib', 'vscode', 'out', 'server-main.js'), ...common,
      '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver',
      '--server-data-dir', profile.serverDataDir, '--disable-telemetry', '--disable-update-check',
      // The folder a test opens is trusted, unless the test is about Restricted Mode.
      ...(trust ? ['--disable-workspace-trust'] : [])]
    : [path.join(codeServerPkg, 'out', 'node', 'entry.js'), ...common,
      '--auth', 'none', '--user-data-dir', profile.userDataDir, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--bind-addr', `127.0.0.1:${port}`, ...(workspace ? [workspace] : [])];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...SERVER_ENV, XDG_CONFIG_HOME: profile.dir, XDG_DATA_HOME: profile.dir, ...env },
  });
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    log?.(String(chunk));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 250))]);
    if (state) throw new Error(`the VS Code server exited (${state.code ?? state.signal}) before it was up:\n${output}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop(child, exited);
      throw new Error(`the VS Code server did not answer on ${url} within 60 s:\n${output}`);
    }
  }
  return { url, port, child, output: () => output, stop: () => stop(child, exited) };
}

async function stop(child, exited) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), 5000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The URL that opens `folder` in VS Code web, with an optional test payload. */
export function workbenchUrl(server, folder, payload) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const params = new URLSearchParams({ folder: remote(folder) });
  if (payload) params.set('payload', JSON.stringify(payload.map(([k, v]) => [k, v.startsWith('/') ? remote(v) : v])));
  return `${server.url}?${params}`;
}
