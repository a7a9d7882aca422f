// Builds the extension (Node, CJS), the webview apps (browser, ESM) and the integration suite.
//   node esbuild.mjs [--watch] [--production] [--target linux-x64]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

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

/** The Python parser (tree-sitter compiled to WebAssembly) ships as two .wasm files beside the bundles. */
async function copyParserWasm() {
  const require = createRequire(import.meta.url);
  for (const file of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
    await copyFile(require.resolve(file), path.join(root, 'dist', path.basename(file)));
  }
}

/** CommonJS bundles have no import.meta; give modules that ask for their URL the bundle's own. */
const importMetaUrl = {
  define: { 'import.meta.url': '__labbookImportMetaUrl' },
  banner: { js: "const __labbookImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'linked',
};

/**
 * Two bundles, no code shared between them: the small activation entry (package.json "main") and
 * the container with everything else, which the entry requires on first use (see extension.ts).
 */
export const extension = {
  ...common,
  // The WAL checkpoint worker (walCheckpointer.ts) runs as its own script beside the SQLite addon.
  entryPoints: { extension: 'src/host/extension.ts', container: 'src/host/container.ts', walCheckpointWorker: 'src/core/store/sqlite/walCheckpointWorker.ts' },
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['vscode'],
  ...importMetaUrl,
};

/** `labbook serve` and the other commands, runnable as `node dist/cli.js`. */
const cli = {
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  define: importMetaUrl.define,
  banner: { js: `#!/usr/bin/env node\n${importMetaUrl.banner.js}` },
};

/**
 * uPlot builds an Intl.NumberFormat and an Intl.DateTimeFormat as its module loads. The first Intl
 * object a page makes loads ICU's locale data, 13–30 ms before anything is drawn, although our
 * charts format their axes with formatNumber and never ask uPlot for a time zone. Both are made on
 * first use instead; the build fails if uPlot's source no longer reads as expected.
 */
const lazyUplotIntl = {
  name: 'lazy-uplot-intl',
  setup(build) {
    build.onLoad({ filter: /[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, async (args) => {
      const edits = [
        ["const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);", "let numFormatter;\nconst fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);"],
        ['const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;', 'let localTzName;\nconst localTz = () => (localTzName ??= new Intl.DateTimeFormat().resolvedOptions().timeZone);'],
        ['else if (tz == localTz)', 'else if (tz == localTz())'],
      ];
      let contents = (await readFile(args.path, 'utf8')).replace(/\r\n/g, '\n');
      for (const [from, to] of edits) {
        if (contents.split(from).length !== 2) throw new Error(`lazy-uplot-intl: uPlot's source changed, "${from.split('\n')[0]}" not found once in ${args.path}`);
        contents = contents.replace(from, to);
      }
      return { contents, loader: 'js' };
    });
  },
};

/** Exported for bench/compare.bench.ts, which builds the Compare page as the VSIX ships it. */
export const webviews = {
  ...common,
  plugins: [lazyUplotIntl],
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
  ...importMetaUrl,
};

async function appEntries() {
  const dirs = await readdir(path.join(root, 'webview'), { withFileTypes: true });
  return Object.fromEntries(
    dirs
      .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(path.join(root, 'webview', d.name, 'main.ts')))
      .map((d) => [d.name, `webview/${d.name}/main.ts`]),
  );
}

// Imported (the unit tier reads the extension build's options), this module builds nothing.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildAll();

async function buildAll() {
  const builds = production ? [extension, cli, webviews] : [extension, cli, webviews, integrationTests];
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  if (!production) await rm(path.join(root, 'out'), { recursive: true, force: true });
  await copyNativeBinding();
  await copyParserWasm();
  if (watch) {
    // The start/end lines drive the background problem matcher in .vscode/tasks.json.
    const announce = {
      name: 'announce',
      setup(build) {
        build.onStart(() => console.log('esbuild: rebuilding'));
        build.onEnd(() => console.log('esbuild: watching for changes'));
      },
    };
    for (const options of builds) await (await esbuild.context({ ...options, plugins: [...(options.plugins ?? []), announce] })).watch();
  } else {
    await Promise.all(builds.map((options) => esbuild.build(options)));
  }
}
