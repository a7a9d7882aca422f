import assert from 'node:assert/strict';
import { classifyArtifact, listArtifactFolder, previewArtifact, previewBytes, PREVIEW_LIMITS } from '../../../src/core/runDetails/artifactPreview.ts';
import { HOSTILE, PNG, seedStore, type Seeded } from './seedRuns.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('core/runDetails: artifact previews', () => {
  let seeded: Seeded;
  before(async () => {
    seeded = await seedStore();
  });
  after(async () => seeded.close());

  it('classifies by name: images, JSON, CSV, text, known binaries, and unknown names for sniffing', () => {
    assert.deepEqual(
      ['a.PNG', 'b.jpeg', 'c.svg', 'd.json', 'e.csv', 'f.tsv', 'g.log', 'MLmodel', 'requirements.txt', 'h.pkl', 'i.parquet', 'weird', '.hidden'].map(classifyArtifact),
      ['image', 'image', 'image', 'json', 'csv', 'csv', 'text', 'text', 'text', 'binary', 'binary', 'unknown', 'unknown'],
    );
  });

  it('pretty-prints JSON, and shows invalid or cut JSON as text', () => {
    const ok = previewBytes('x.json', bytes('{"a":[1,2],"b":{"c":"<b>"}}'));
    assert.deepEqual(ok, { kind: 'json', path: 'x.json', size: 27, text: '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {\n    "c": "<b>"\n  }\n}', truncated: false });
    const bad = previewBytes('x.json', bytes('{"a":'));
    assert.equal(bad.kind, 'text');
    const big = previewBytes('x.json', bytes(`[${'1,'.repeat(100)}1]`), { ...PREVIEW_LIMITS, textBytes: 50 });
    assert.equal(big.kind, 'text');
    assert.equal(big.kind === 'text' && big.truncated, true);
  });

  it('bounds text to the limit and says so; tells a patch apart for diff colouring', () => {
    const preview = previewBytes('notes.txt', bytes('x'.repeat(5000)), { ...PREVIEW_LIMITS, textBytes: 1000 });
    assert.ok(preview.kind === 'text');
    assert.equal(preview.text.length, 1000);
    assert.equal(preview.truncated, true);
    assert.equal(preview.size, 5000);
    const patch = previewBytes('changes.patch', bytes('+a\n-b\n'));
    assert.equal(patch.kind === 'text' && patch.language, 'diff');
  });

  it('reads CSV into a header and bounded rows', () => {
    const csv = `h1,h2\n${Array.from({ length: 20 }, (_, i) => `${i},"v ${i}"`).join('\n')}\n`;
    const preview = previewBytes('t.csv', bytes(csv), { ...PREVIEW_LIMITS, csvRows: 5 });
    assert.ok(preview.kind === 'csv');
    assert.deepEqual(preview.header, ['h1', 'h2']);
    assert.equal(preview.rows.length, 5);
    assert.deepEqual(preview.rows[4], ['4', 'v 4']);
    assert.equal(preview.truncated, true);
    const small = previewBytes('t.tsv', bytes('a\tb\n1\t2\n'));
    assert.ok(small.kind === 'csv');
    assert.deepEqual([small.header, small.rows, small.truncated], [['a', 'b'], [['1', '2']], false]);
  });

  it('inlines images (SVG too) as base64 data: URIs up to a bound', () => {
    const png = previewBytes('p.png', PNG);
    assert.deepEqual(png, { kind: 'image', path: 'p.png', size: PNG.length, mime: 'image/png', dataUri: `data:image/png;base64,${PNG.toString('base64')}` });
    const svg = previewBytes('d.svg', bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    assert.ok(svg.kind === 'image' && svg.dataUri.startsWith('data:image/svg+xml;base64,'));
    const huge = previewBytes('p.png', new Uint8Array(2000), { ...PREVIEW_LIMITS, imageBytes: 1000 });
    assert.deepEqual(huge, { kind: 'tooLarge', path: 'p.png', size: 2000, limit: 1000, what: 'image' });
  });

  it('calls bytes with NUL binary, whatever the name says', () => {
    assert.deepEqual(previewBytes('weird', new Uint8Array([1, 0, 2])), { kind: 'binary', path: 'weird', size: 3 });
    assert.equal(previewBytes('x.txt', new Uint8Array([65, 0])).kind, 'binary');
    assert.equal(previewBytes('weights.pt', bytes('text-looking')).kind, 'binary');
    assert.equal(previewBytes('Makefile', bytes('all:\n\techo hi\n')).kind, 'text');
  });

  it('lists one folder at a time from the store, folders first, with sizes', async () => {
    const root = await listArtifactFolder(seeded.store, seeded.launched, '');
    assert.deepEqual(root, [
      { path: 'labbook', name: 'labbook', isDir: true, size: null },
      { path: 'results', name: 'results', isDir: true, size: null },
    ]);
    const results = await listArtifactFolder(seeded.store, seeded.launched, 'results');
    assert.deepEqual(results.map((e) => e.name), [`${HOSTILE}.txt`, 'diagram.svg', 'metrics.csv', 'model.bin', 'plot.png', 'summary.json'].sort((a, b) => a.localeCompare(b)));
    assert.equal(results.find((e) => e.name === 'plot.png')?.size, PNG.length);
    assert.deepEqual(await listArtifactFolder(seeded.store, seeded.plain, ''), []);
  });

  it('previews an artifact of the store; a missing one is a "missing" preview; a huge one is not read', async () => {
    const csv = await previewArtifact(seeded.store, seeded.launched, 'results/metrics.csv');
    assert.ok(csv.kind === 'csv');
    assert.deepEqual(csv.rows, [['acc', '0.93', 'plain'], ['loss', '0.12', 'has, a comma'], ['note', '1', 'two\nlines']]);
    const missing = await previewArtifact(seeded.store, seeded.launched, 'results/nope.txt');
    assert.deepEqual(missing, { kind: 'missing', path: 'results/nope.txt', message: 'This run has no artifact results/nope.txt.' });
    const tooLarge = await previewArtifact(seeded.store, seeded.launched, 'labbook/logs/output.log', { ...PREVIEW_LIMITS, readBytes: 100 });
    assert.equal(tooLarge.kind, 'tooLarge');
  });
});
