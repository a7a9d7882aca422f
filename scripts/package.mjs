// `npm run package [-- --target linux-x64]`: a production build and one VSIX for that platform
// (better-sqlite3's native addon differs per platform). Prints the VSIX path as its last line.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const VSCE_TARGETS = new Set(['linux-x64', 'linux-arm64', 'alpine-x64', 'alpine-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64']);
/** vsce's platform names → better-sqlite3's prebuild names. */
const PREBUILD = { 'alpine-x64': 'linuxmusl-x64', 'alpine-arm64': 'linuxmusl-arm64' };

export function packageVsix({ target = `${process.platform}-${process.arch}`, quiet = false } = {}) {
  if (!VSCE_TARGETS.has(target)) throw new Error(`unknown target ${target}: one of ${[...VSCE_TARGETS].join(', ')}`);
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const { version, name } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = path.join(root, `${name}-${version}-${target}.vsix`);
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';
  const run = (args) => {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed with ${result.status}`);
  };
  run(['esbuild.mjs', '--production', '--target', PREBUILD[target] ?? target]);
  const vsce = createRequire(import.meta.url).resolve('@vscode/vsce/vsce');
  // Everything is bundled: no node_modules in the VSIX (--no-dependencies).
  run([vsce, 'package', '--no-dependencies', '--target', target, '--out', out, '--no-rewrite-relative-links']);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--target');
  console.log(packageVsix(i >= 0 ? { target: process.argv[i + 1] } : {}));
}
