// Builds the extension (Node, CJS), the webview apps (browser, ESM) and the integration suite.
//   node esbuild.mjs [--watch] [--production] [--target linux-x64]
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const args = process.argv.slice(2);
const watch = args.includes('--watch');
const production = args.includes('--production');
const targetArg = args.indexOf('--target');
const target = targetArg >= 0 ? args[targetArg + 1] : `${process.platform}-${process.arch}`;
const root = path.dirname(new URL(import.meta.url).pathname);

/** better-sqlite3 ships one Node-API prebuild per platform; the bundle loads it from dist/. */
async function copyNativeBinding() {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('better-sqlite3/package.json'));
  const from = path.join(pkg, 'prebuilds', `${target}.node`);
  await mkdir(path.join(root, 'dist'), { recursive: true });
  await copyFile(from, path.join(root, 'dist', 'better_sqlite3.node'));
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'linked',
};

const extension = {
  ...common,
  entryPoints: { extension: 'src/host/extension.ts' },
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['vscode'],
};

/** `labbook serve` and the other commands, runnable as `node dist/cli.js`. */
const cli = {
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  banner: { js: '#!/usr/bin/env node' },
};

const webviews = {
  ...common,
  entryPoints: await appEntries(),
  outdir: 'dist/webview',
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
};

/** The integration suite runs inside the extension host; mocha comes from node_modules there. */
const integrationTests = {
  ...common,
  sourcemap: 'inline',
  minify: false,
  entryPoints: ['test/integration/*.ts'],
  outdir: 'out/test/integration',
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['vscode', 'mocha'],
};

async function appEntries() {
  const dirs = await readdir(path.join(root, 'webview'), { withFileTypes: true });
  return Object.fromEntries(
    dirs.filter((d) => d.isDirectory() && d.name !== 'shared').map((d) => [d.name, `webview/${d.name}/main.ts`]),
  );
}

const builds = production ? [extension, cli, webviews] : [extension, cli, webviews, integrationTests];
await rm(path.join(root, 'dist'), { recursive: true, force: true });
if (!production) await rm(path.join(root, 'out'), { recursive: true, force: true });
await copyNativeBinding();
if (watch) {
  // The start/end lines drive the background problem matcher in .vscode/tasks.json.
  const announce = {
    name: 'announce',
    setup(build) {
      build.onStart(() => console.log('esbuild: rebuilding'));
      build.onEnd(() => console.log('esbuild: watching for changes'));
    },
  };
  for (const options of builds) await (await esbuild.context({ ...options, plugins: [announce] })).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
