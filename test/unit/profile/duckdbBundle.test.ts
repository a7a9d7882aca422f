// DuckDB in the bundles: esbuild.mjs's duckdb-binding plugin makes the bundled CLI load the native
// binding from duckdb/ beside the bundle (as dist/duckdb/ ships in the VSIX), and without it (and no
// npm package to fall back on) `labbook profile` says the engine could not be loaded instead of
// crashing. Built here from esbuild.mjs's own CLI options into a temp folder outside the checkout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('DuckDB in the bundled CLI', function () {
  this.timeout(120_000);
  let dir: string;
  const profile = (file: string) => spawnSync(process.execPath, [path.join(dir, 'cli.js'), 'profile', file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-duckdb-bundle-'));
    const buildModule = '../../../esbuild.mjs';
    const { cli } = (await import(buildModule)) as { cli: esbuild.BuildOptions };
    await esbuild.build({ ...cli, absWorkingDir: root, outdir: dir, sourcemap: false, logLevel: 'silent' });
    writeFileSync(path.join(dir, 'data.csv'), 'a,b\n1,x\n2,y\n3,x\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('without the binding beside it: a clear message and exit 2', () => {
    const result = profile('data.csv');
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^labbook profile: The DuckDB engine \(used to read data files\) could not be loaded on [a-z0-9]+-[a-z0-9]+: Cannot find module '@duckdb\/node-bindings'/);
  });

  it('with the binding in duckdb/ beside the bundle: profiles the file', () => {
    const require = createRequire(path.join(root, 'node_modules', '@duckdb', 'node-bindings', 'package.json'));
    const binding = path.dirname(require.resolve(`@duckdb/node-bindings-${process.platform}-${process.arch}/duckdb.node`));
    mkdirSync(path.join(dir, 'duckdb'));
    for (const file of readdirSync(binding)) copyFileSync(path.join(binding, file), path.join(dir, 'duckdb', file));
    const result = profile('data.csv');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^data\.csv \(CSV, 16 B\): 3 rows × 2 columns[\s\S]*top "x" 2, "y" 1$/m);
  });
});
