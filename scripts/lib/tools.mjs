// Installs, once per machine, the tools the test tiers and the demo need, into the cache folder
// (LABBOOK_CACHE, set by scripts/bootstrap.sh). Each ensure* call is cheap when already done.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const cache = process.env.LABBOOK_CACHE ?? path.join(homedir(), '.cache', 'labbook');

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) throw new Error(`${cmd} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
}

let aptUpdated = false;
function aptInstall(packages, why) {
  if (!isRoot) {
    throw new Error(`${why} needs the Debian packages ${packages.join(', ')}: run  sudo apt-get install -y ${packages.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
  }
  console.error(`labbook: apt-get install ${packages.join(' ')} (${why})`);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Debian's Chromium, driven by playwright-core (never `playwright install`). */
export function ensureChromium() {
  const candidates = [process.env.LABBOOK_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  let found = candidates.find((p) => existsSync(p));
  if (!found) {
    aptInstall(['chromium', 'fonts-dejavu-core'], 'the webview and end-to-end tests');
    found = '/usr/bin/chromium';
  }
  return found;
}

/** The code-server npm package: a real VS Code server with a Node extension host. */
export function ensureCodeServer() {
  const dir = path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const pkg = path.join(dir, 'node_modules', 'code-server');
  if (existsSync(path.join(pkg, 'lib', 'vscode', 'out', 'server-main.js'))) return pkg;
  // Its postinstall compiles native modules: kerberos needs the GSSAPI headers.
  if (!existsSync('/usr/include/gssapi/gssapi.h')) aptInstall(['libkrb5-dev'], 'building code-server');
  const nodeDir = path.dirname(path.dirname(process.execPath));
  const env = {
    ...process.env,
    npm_config_yes: 'true',
    ...(existsSync(path.join(nodeDir, 'include', 'node')) ? { npm_config_nodedir: nodeDir } : {}),
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  console.error(`labbook: installing code-server ${CODE_SERVER_VERSION} into ${dir} (one time, ~2 min)`);
  run('npm', ['install', '--prefix', tmp, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error',
    `code-server@${CODE_SERVER_VERSION}`], { env });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return pkg;
}

/** A Python venv with requirements-test.txt, keyed by its content so a change rebuilds it. */
export function ensurePythonVenv() {
  return ensureVenv('requirements-test.txt', 'venv');
}

/**
 * The reference peers that cannot share the test venv (Evidently 0.7 needs pandas < 3), in a venv
 * of their own keyed by requirements-peers.txt; the interop tests and the bench compare with them.
 */
export function ensurePeerVenv() {
  return ensureVenv('requirements-peers.txt', 'peers');
}

/** Feast (the feature store's tests), in a venv of its own keyed by requirements-feast.txt: it needs pandas < 3. */
export function ensureFeastVenv() {
  return ensureVenv('requirements-feast.txt', 'feast');
}

function ensureVenv(file, prefix) {
  const requirements = path.join(root, file);
  const python = process.env.LABBOOK_SYSTEM_PYTHON ?? 'python3';
  const version = spawnSync(python, ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`${python} is needed for the Python-side tests`);
  const key = createHash('sha256').update(readFileSync(requirements)).update(version.stdout).digest('hex').slice(0, 12);
  const venv = path.join(cache, `${prefix}-${key}`);
  const bin = path.join(venv, 'bin', 'python');
  if (existsSync(path.join(venv, '.complete'))) return bin;
  rmSync(venv, { recursive: true, force: true });
  console.error(`labbook: creating the Python venv ${venv} (${file})`);
  const made = spawnSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  if (made.status !== 0) {
    aptInstall(['python3-venv'], 'the Python test venv');
    run(python, ['-m', 'venv', venv]);
  }
  run(bin, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  run(bin, ['-c', "open(__import__('sys').argv[1], 'w').close()", path.join(venv, '.complete')]);
  return bin;
}
