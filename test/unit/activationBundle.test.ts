// Activation loads dist/extension.js alone; everything else is bundled apart in dist/container.js,
// which the entry requires on first use (issue 13: activation < 50 ms in the real extension host,
// where loading one bundle of all the code was most of it). Built here from esbuild.mjs's own
// options, in memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '..', '..');
/** What may load at activation: the entry, the stand-in tree, lens and hover providers, where the local store is, the error formatter, the Explorer menu's exported-pipeline keys, the notice offering the merge editor for a conflicted notebook, and where Feast repositories are looked for (the Feature Store view's context key). */
const ENTRY_INPUTS = ['src/host/extension.ts', 'src/host/trees/deferredTreeDataProvider.ts', 'src/host/deferredLanguageProviders.ts', 'src/host/stores/localStorePath.ts', 'src/shared/errorMessage.ts', 'src/host/ci/pipelineContext.ts', 'src/host/merge/conflictNotice.ts', 'src/host/merge/conflictScan.ts', 'src/host/feast/feastRepoGlob.ts'];
const ENTRY_BUDGET_BYTES = 16 * 1024;

describe('the extension bundles: a small activation entry, the rest loaded on first use', function () {
  this.timeout(60_000);
  let outputs: Record<string, { inputs: Record<string, unknown>; bytes: number; text: string }>;

  before(async () => {
    const buildModule = '../../esbuild.mjs';
    const { extension } = (await import(buildModule)) as { extension: esbuild.BuildOptions };
    const result = await esbuild.build({ ...extension, absWorkingDir: root, outdir: 'bundle-check', write: false, metafile: true, sourcemap: false, minify: true, legalComments: 'none', logLevel: 'silent' });
    const texts = new Map(result.outputFiles.map((f) => [path.relative(root, f.path), f.text]));
    outputs = Object.fromEntries(
      Object.entries(result.metafile.outputs).map(([file, out]) => [path.basename(file), { inputs: out.inputs, bytes: out.bytes, text: texts.get(file) ?? '' }]),
    );
  });

  it('the entry (package.json "main") holds only the activation wiring: no store, SQLite, panel or dependency code', () => {
    const entry = outputs['extension.js'];
    assert.ok(entry, 'esbuild.mjs builds dist/extension.js');
    assert.deepEqual(Object.keys(entry.inputs).sort(), [...ENTRY_INPUTS].sort());
    assert.ok(entry.bytes < ENTRY_BUDGET_BYTES, `the minified entry is ${entry.bytes} bytes`);
  });

  it('the container holds the services, and the entry requires it by path at run time', () => {
    const container = outputs['container.js'];
    assert.ok(container, 'esbuild.mjs builds dist/container.js');
    for (const input of ['src/host/container.ts', 'src/core/store/sqlite/sqliteTrackingStore.ts', 'src/host/panels/homePanel.ts']) {
      assert.ok(input in container.inputs, `${input} is in the container`);
    }
    assert.match(outputs['extension.js']?.text ?? '', /"container\.js"/);
  });

  it('package.json "main" is the entry, and the VSIX ships both bundles', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    assert.equal(manifest.main, './dist/extension.js');
    const shipped = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(shipped.includes('!dist/extension.js') && shipped.includes('!dist/container.js'));
  });
});
