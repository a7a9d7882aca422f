// Builds the extension (Node, CJS), the webview apps (browser, ESM) and the integration suite.
//   node esbuild.mjs [--watch] [--production] [--target linux-x64]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
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

/** better-sqlite3's prebuild names → @duckdb/node-bindings-<name> package names. */
const DUCKDB_BINDING = { 'linuxmusl-x64': 'linux-x64-musl', 'linuxmusl-arm64': 'linux-arm64-musl' };

/**
 * DuckDB (src/core/profile/duckdb.ts) is a Node-API addon plus its shared library (libduckdb.so,
 * .dylib or duckdb.dll, found beside the addon), one package per platform. The target's files go
 * to dist/duckdb/. npm installs only the host's package; for another target the package is fetched
 * once with `npm pack` into ~/.cache/labbook/duckdb-bindings/ (network needed that first time).
 */
async function copyDuckdbBinding() {
  const require = createRequire(import.meta.url);
  const name = `@duckdb/node-bindings-${DUCKDB_BINDING[target] ?? target}`;
  const { version } = JSON.parse(await readFile(require.resolve('@duckdb/node-bindings/package.json'), 'utf8'));
  let from;
  try {
    from = path.dirname(require.resolve(`${name}/package.json`, { paths: [path.dirname(require.resolve('@duckdb/node-bindings/package.json'))] }));
  } catch {
    const cache = path.join(os.homedir(), '.cache', 'labbook', 'duckdb-bindings', `${name.slice('@duckdb/'.length)}-${version}`);
    from = path.join(cache, 'package');
    if (!existsSync(path.join(from, 'duckdb.node'))) {
      await mkdir(cache, { recursive: true });
      const pack = spawnSync('npm', ['pack', `${name}@${version}`, '--pack-destination', cache, '--silent'], { encoding: 'utf8', shell: process.platform === 'win32' });
      const tarball = pack.stdout?.trim().split('\n').pop();
      if (pack.status !== 0 || !tarball) throw new Error(`npm pack ${name}@${version} failed: ${pack.stderr || pack.error}`);
      const untar = spawnSync('tar', ['-xzf', path.join(cache, tarball), '-C', cache], { encoding: 'utf8' });
      if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr}`);
    }
  }
  const out = path.join(root, 'dist', 'duckdb');
  await mkdir(out, { recursive: true });
  for (const file of await readdir(from)) {
    if (file === 'package.json' || file === 'README.md') continue;
    const bytes = await readFile(path.join(from, file));
    await writeFile(path.join(out, file), thinMachO(bytes, target));
  }
}

/**
 * macOS ships libduckdb as a universal (x86_64 + arm64) binary, 36 MB compressed: keep only the
 * target's slice, as `lipo -thin` does (each slice is a complete, separately signed Mach-O).
 * Anything that is not a universal binary is returned as it is.
 */
function thinMachO(bytes, platformArch) {
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0xcafebabe) return bytes;
  const cpu = { 'darwin-x64': 0x01000007, 'darwin-arm64': 0x0100000c }[platformArch];
  if (cpu === undefined) return bytes;
  const count = bytes.readUInt32BE(4);
  for (let i = 0; i < count; i++) {
    const entry = 8 + i * 20;
    if (bytes.readUInt32BE(entry) === cpu) return bytes.subarray(bytes.readUInt32BE(entry + 8), bytes.readUInt32BE(entry + 8) + bytes.readUInt32BE(entry + 12));
  }
  throw new Error(`no ${platformArch} slice in a universal binary of @duckdb/node-bindings`);
}

/**
 * @duckdb/node-api requires `@duckdb/node-bindings`, which picks `@duckdb/node-bindings-<platform>/
 * duckdb.node` by platform: no bundler can follow that. In the bundles it loads dist/duckdb/
 * duckdb.node beside the bundle; where that is absent (the integration suite's bundle in out/),
 * npm's package, left unbundled.
 */
const duckdbBinding = {
  name: 'duckdb-binding',
  setup(build) {
    build.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: 'duckdb-binding', namespace: 'duckdb-binding' }));
    build.onLoad({ filter: /.*/, namespace: 'duckdb-binding' }, () => ({
      contents: [
        "const beside = require('node:path').join(__dirname, 'duckdb', 'duckdb.node');",
        "const npmPackage = '@duckdb/node-bindings';",
        "module.exports = require('node:fs').existsSync(beside) ? require(beside) : require(npmPackage);",
      ].join('\n'),
      loader: 'js',
    }));
  },
};

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
  plugins: [duckdbBinding],
  ...importMetaUrl,
};

/** `labbook serve` and the other commands, runnable as `node dist/cli.js`. Exported for test/unit/profile/duckdbBundle.test.ts. */
export const cli = {
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  plugins: [duckdbBinding],
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

/**
 * Apps' boot scripts (webview/<app>/boot.ts → dist/webview/<app>.boot.js): small classic scripts
 * the host inlines in the page's HTML (WebviewPanelHost's `boot`), so always minified and without
 * a source map (an inlined script's map would not be found). Exported for the bench.
 */
export const webviewBoots = {
  ...common,
  minify: true,
  sourcemap: false,
  entryPoints: await bootEntries(),
  outdir: 'dist/webview',
  platform: 'browser',
  format: 'iife',
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
  plugins: [duckdbBinding],
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

async function bootEntries() {
  const apps = Object.keys(await appEntries());
  return Object.fromEntries(apps.filter((app) => existsSync(path.join(root, 'webview', app, 'boot.ts'))).map((app) => [`${app}.boot`, `webview/${app}/boot.ts`]));
}

// Imported (the unit tier reads the extension build's options), this module builds nothing.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildAll();

async function buildAll() {
  const builds = production ? [extension, cli, webviews, webviewBoots] : [extension, cli, webviews, webviewBoots, integrationTests];
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  if (!production) await rm(path.join(root, 'out'), { recursive: true, force: true });
  await copyNativeBinding();
  await copyDuckdbBinding();
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
