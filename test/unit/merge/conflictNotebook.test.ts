// The conflicted notebook the git driver writes: a valid notebook with banners and marked versions,
// that reads back (through the real writer and reader) into the same conflicts and versions, and
// resolves to the same notebook as the merge it came from.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { conflictNotebook, hasConflictMarkers, readConflictNotebook, stripMergeRecord } from '../../../src/core/merge/conflictNotebook.ts';
import type { CellResolution, MergeResolutions, NotebookMerge } from '../../../src/core/merge/model.ts';
import { applyResolutions, metadataKey, NO_RESOLUTIONS } from '../../../src/core/merge/resolve.ts';
import type { JsonObject, Notebook } from '../../../src/core/notebook/notebookModel.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { serializeNotebook } from '../../../src/core/notebook/writeNotebook.ts';
import fc from 'fast-check';
import { checkProperty, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';
import { code, markdown, merge, notebook, stream, type RawCell } from './notebooks.ts';

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** Through the file, as the git driver writes it and the panel reads it. */
const throughFile = (m: NotebookMerge, name = 'nb.ipynb') => readConflictNotebook(parseNotebook(serializeNotebook(conflictNotebook(m)), name), name);
const roles = (nb: Notebook) => nb.cells.map((c) => ((c.metadata.labbook as { merge?: { role: string } } | undefined)?.merge?.role ?? c.source));

/** Every conflict resolved the same way, metadata included. */
function everywhere(m: NotebookMerge, resolution: CellResolution, side: 'local' | 'remote' | 'base'): MergeResolutions {
  const cells: Record<number, CellResolution> = {};
  m.cells.forEach((c, k) => {
    if (c.conflicts.length > 0) cells[k] = resolution;
  });
  return { cells, metadata: Object.fromEntries(m.metadata.conflicts.map((c) => [metadataKey(c), side])) };
}

/**
 * `cells` with the ids the file gave (nbformat ≥ 4.5 requires one on every cell) taken off where
 * `like`'s cell at that place has none: the rest must be equal.
 */
function withoutFileIds<T extends { id?: string }>(cells: T[], like: Array<{ id?: string }>): T[] {
  return cells.map((c, k) => {
    const copy = json(c);
    if (like[k]?.id === undefined) delete copy.id;
    return copy;
  });
}

/** The read-back merge holds the same conflicts, versions and output choices, cell for cell. */
function assertSameConflicts(back: NotebookMerge | undefined, m: NotebookMerge): void {
  assert.ok(back);
  const conflicted = (x: NotebookMerge) => x.cells.filter((c) => c.conflicts.length > 0).map((c) => json({ conflicts: c.conflicts, versions: c.versions, outputs: c.outputs, indices: [c.base, c.local, c.remote] }));
  assert.deepStrictEqual(conflicted(back), conflicted(m));
  assert.deepStrictEqual(withoutFileIds(back.cells.map((c) => c.cell), m.cells.map((c) => c.cell)), m.cells.map((c) => json(c.cell)));
  assert.deepStrictEqual(json(back.metadata), json(m.metadata));
  assert.equal(back.stats.conflicts, m.stats.conflicts);
  assert.deepStrictEqual(back.names, m.names);
  assert.deepStrictEqual(back.options, m.options);
  assert.deepStrictEqual(json(back.decisions), json(m.decisions));
}

function assertSameResults(back: NotebookMerge | undefined, m: NotebookMerge): void {
  assert.ok(back);
  const attempts: Array<[CellResolution, 'local' | 'remote' | 'base']> = [
    [{ take: 'local' }, 'local'],
    [{ take: 'remote', outputs: 'local' }, 'remote'],
    [{ take: 'both', outputs: 'remote' }, 'base'],
    [{ take: 'base' }, 'base'],
    [{ take: 'edited', source: 'edited\n', outputs: 'both' }, 'local'],
    [{ take: 'delete' }, 'remote'],
  ];
  for (const [resolution, side] of attempts) {
    const expected: Notebook = json(applyResolutions(m, everywhere(m, resolution, side)));
    const actual: Notebook = json(applyResolutions(back, everywhere(back, resolution, side)));
    assert.deepStrictEqual({ ...actual, cells: withoutFileIds(actual.cells, expected.cells) }, expected, JSON.stringify(resolution));
  }
}

/** A clean merge's file has no cell markers: nothing to read back, and without its record it is the result. */
function assertCleanThroughFile(m: NotebookMerge): void {
  const file = parseNotebook(serializeNotebook(conflictNotebook(m)), 'clean.ipynb');
  assert.equal(hasConflictMarkers(file), false);
  assert.equal(readConflictNotebook(file, 'clean.ipynb'), undefined);
  assert.deepStrictEqual(json(stripMergeRecord(file)), json(parseNotebook(serializeNotebook(applyResolutions(m, NO_RESOLUTIONS)), 'clean.ipynb')));
}

describe('core/merge: the conflicted notebook', () => {
  // `labbook` values the markers must not disturb: an empty object, and a string.
  const base = notebook([markdown('# Wine', { id: 'title' }), code('a = 1\nb = 2\n', { id: 'ab' }), code('c = 3', { id: 'c' }), code('d = 4', { id: 'd' })], {
    kernelspec: { name: 'python3', display_name: 'Python 3' },
    labbook: {},
  });
  const local = notebook(
    [markdown('# Wine', { id: 'title' }), code('a = 10\nb = 2\n', { id: 'ab', execution_count: 2, outputs: [stream('ours\n')], metadata: { tags: ['ours'], labbook: 'note' } }), code('d = 4', { id: 'd' })],
    { kernelspec: { name: 'python3', display_name: 'Ours' }, labbook: {} },
  );
  const remote = notebook(
    [markdown('# Wine', { id: 'title' }), code('a = 11\nb = 2\n', { id: 'ab', execution_count: 5, outputs: [stream('theirs\n')], metadata: { tags: ['theirs'] } }), code('c = 30', { id: 'c' }), code('d = 4', { id: 'd' })],
    { kernelspec: { name: 'python3', display_name: 'Theirs' }, labbook: {} },
  );
  const m = merge(base, local, remote);

  it('spells out each conflict between banners, marked in cell metadata, with local metadata values in place', () => {
    assert.equal(m.stats.conflicts, 3, 'two cells and one metadata key');
    const nb = conflictNotebook(m);
    assert.deepEqual(roles(nb), ['metadata', '# Wine', 'start', 'local', 'between', 'remote', 'end', 'start', 'between', 'remote', 'end', 'd = 4']);
    const [notice, , start1, local1, , remote1, , start2, between2] = nb.cells;
    assert.match(notice!.source, /Merge conflicts in the notebook metadata\*\* and 2 conflicts in cells below: `kernelspec\/display_name` \(ours: `"Ours"`, theirs: `"Theirs"`\) changed/);
    assert.match(start1!.source, /^⚠ \*\*Merge conflict 1 of 2\*\* — the source changed on both sides \(1 place\); cell metadata `tags` \(ours: `\["ours"\]`, theirs: `\["theirs"\]`\) changed differently\. Below: the local version \(ours\), then the remote version \(theirs\)\. Resolve it in Labbook's merge editor/);
    assert.match(start2!.source, /Merge conflict 2 of 2\*\* — the local side \(ours\) deleted this cell and the remote side \(theirs\) changed it\. Below: the remote version \(theirs\); the local side \(ours\) deleted this cell\./);
    assert.match(between2!.source, /the local side, ours, deleted this cell/);
    assert.deepEqual(local1?.source, 'a = 10\nb = 2\n');
    assert.deepEqual(remote1?.source, 'a = 11\nb = 2\n');
    assert.deepEqual((start1?.metadata.labbook as { merge: { conflict: number; kinds: string[] } }).merge.kinds, ['source', 'metadata']);
    assert.equal((nb.metadata.kernelspec as { display_name: string }).display_name, 'Ours');
    const stored = (nb.metadata.labbook as { merge: { conflicts: unknown[] } }).merge;
    assert.equal(stored.conflicts.length, 1);
    const text = serializeNotebook(nb);
    assert.ok(!text.includes('<<<<<<<') && !text.includes('>>>>>>>'));
    // Ours and theirs share the cell id: the file gives the second a fresh one so it validates.
    const ids = (JSON.parse(text) as { cells: Array<{ id: string }> }).cells.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('reads back the same merge from the written file, which resolves to the same notebooks', () => {
    const back = throughFile(m);
    assertSameConflicts(back, m);
    assertSameResults(back, m);
  });

  it('is undefined for a notebook without markers', () => {
    assert.equal(readConflictNotebook(base, 'base.ipynb'), undefined);
  });

  it('reads a conflict resolved by hand (a version, the banners gone) as resolved, without its marker', () => {
    const nb = parseNotebook(serializeNotebook(conflictNotebook(m)), 'nb.ipynb');
    // The person keeps the local version of conflict 1 and deletes the rest of it, and the metadata notice.
    nb.cells = nb.cells.filter((_, k) => ![0, 2, 4, 5, 6].includes(k));
    const back = readConflictNotebook(nb, 'nb.ipynb');
    assert.ok(back);
    assert.equal(back.cells.filter((c) => c.conflicts.length > 0).length, 1);
    assert.equal(back.stats.conflicts, 1, 'conflict 2; the metadata key went with its notice');
    assert.deepEqual(back.metadata.conflicts, []);
    assert.equal(back.cells[1]?.cell.source, 'a = 10\nb = 2\n');
    assert.equal(back.cells[1]?.cell.metadata.labbook, 'note', 'the marker gone, the cell’s own value back');
    assert.equal(back.cells[1]?.cell.id, 'ab');
    const resolved = applyResolutions(back, everywhere(back, { take: 'remote' }, 'remote'));
    assert.deepEqual(resolved.cells.map((c) => c.source), ['# Wine', 'a = 10\nb = 2\n', 'c = 30', 'd = 4']);
    assert.deepEqual(resolved.metadata, { kernelspec: { name: 'python3', display_name: 'Ours' }, labbook: {} }, 'local’s value, in place, stays');
    assert.equal(resolved.cells[1]?.metadata.labbook, 'note');
  });

  it('sees open conflicts only while a conflict’s banner or the metadata notice is left, never by the notebook-level record', () => {
    const file = parseNotebook(serializeNotebook(conflictNotebook(m)), 'nb.ipynb');
    assert.equal(hasConflictMarkers(file), true);
    const role = (c: Notebook['cells'][number]) => (c.metadata.labbook as { merge?: { role: string } } | undefined)?.merge?.role;
    // Resolved in Jupyter: every banner deleted, local kept for conflict 1 and remote for conflict 2.
    const byHand: Notebook = { ...file, cells: file.cells.filter((c) => role(c) === undefined || (role(c) === 'local') !== (c.source === 'c = 30')) };
    assert.deepEqual(byHand.cells.map((c) => c.source), ['# Wine', 'a = 10\nb = 2\n', 'c = 30', 'd = 4']);
    assert.ok((byHand.metadata.labbook as { merge?: unknown }).merge, 'the record is still in the file');
    assert.equal(hasConflictMarkers(byHand), false);
    const back = readConflictNotebook(byHand, 'nb.ipynb');
    assert.ok(back, 'the version cells still carry markers to take off');
    assert.equal(back.stats.conflicts, 0);
    const resolved = applyResolutions(back, NO_RESOLUTIONS);
    assert.deepEqual(resolved.metadata, { kernelspec: { name: 'python3', display_name: 'Ours' }, labbook: {} });
    assert.ok(resolved.cells.every((c) => !JSON.stringify(c.metadata).includes('"merge"')));
    // Without any cell marker the file is no conflict notebook; stripping the record gives the notebook as it was.
    const clean = applyResolutions(back, NO_RESOLUTIONS);
    const withRecord: Notebook = { ...clean, metadata: file.metadata };
    assert.equal(readConflictNotebook(withRecord, 'nb.ipynb'), undefined);
    assert.equal(hasConflictMarkers(withRecord), false);
    assert.deepEqual(stripMergeRecord(withRecord).metadata, { kernelspec: { name: 'python3', display_name: 'Ours' }, labbook: {} });
    // Only the notice about notebook metadata left: still open.
    const notice = { ...withRecord, cells: [file.cells[0]!, ...clean.cells] };
    assert.equal(hasConflictMarkers(notice), true);
    assert.deepEqual(readConflictNotebook(notice, 'nb.ipynb')?.metadata.conflicts.map((c) => c.path.join('/')), ['kernelspec/display_name']);
  });

  it('keeps a `labbook.merge` key a cell or the notebook already had (a committed conflict notebook) through the round trip', () => {
    const old = { merge: { conflict: 7, role: 'local', kinds: [] }, other: 1 };
    const b = notebook([code('x = 1', { id: 'x', metadata: { labbook: old } }), code('y = 1', { id: 'y', metadata: { labbook: { merge: 'only' } } })], { labbook: { merge: { cellCount: 1 } } });
    const l = notebook([code('x = 2', { id: 'x', metadata: { labbook: old } }), code('y = 2', { id: 'y', metadata: { labbook: { merge: 'only' } } })], { labbook: { merge: { cellCount: 1 } } });
    const r = notebook([code('x = 3', { id: 'x', metadata: { labbook: old } }), code('y = 3', { id: 'y', metadata: { labbook: { merge: 'only' } } })], { labbook: { merge: { cellCount: 1 } } });
    const mm = merge(b, l, r);
    assert.equal(mm.stats.conflicts, 2);
    const back = throughFile(mm);
    assertSameConflicts(back, { ...mm, metadata: { ...mm.metadata, merged: stripMergeRecord({ nbformat: 4, nbformatMinor: 5, cells: [], metadata: mm.metadata.merged }).metadata } });
    const resolved = applyResolutions(back!, everywhere(back!, { take: 'remote' }, 'remote'));
    assert.deepEqual(resolved.cells.map((c) => c.metadata.labbook), [old, { merge: 'only' }]);
    assert.deepEqual(resolved.metadata, {}, 'the notebook-level record (old or new) is never written');
    assert.deepEqual(applyResolutions(mm, everywhere(mm, { take: 'remote' }, 'remote')), resolved);
  });

  it('gives back a clean merge for a file whose conflicts were all resolved by hand', () => {
    const nb = parseNotebook(serializeNotebook(conflictNotebook(m)), 'nb.ipynb');
    nb.cells = nb.cells.filter((c) => (c.metadata.labbook as { merge?: { role: string } } | undefined)?.merge?.role !== 'start');
    const back = readConflictNotebook(nb, 'nb.ipynb');
    assert.ok(back);
    assert.equal(back.stats.conflicts, 1, 'only the metadata key is left');
    assert.ok(back.cells.every((c) => c.conflicts.length === 0 && (c.cell.metadata.labbook === undefined || c.cell.metadata.labbook === 'note')));
  });

  it('round-trips the merges of nbdime’s test triples', () => {
    const dir = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'nbdime-merge');
    const read = (f: string) => parseNotebook(readFileSync(path.join(dir, f), 'utf8'), f);
    const triples = readdirSync(dir)
      .filter((f) => f.endsWith('--1.ipynb'))
      .map((f) => f.replace('--1.ipynb', ''));
    assert.ok(triples.length >= 4);
    let conflicts = 0;
    for (const t of triples) {
      for (const outputs of ['clear', 'both'] as const) {
        const mm = merge(read(`${t}--1.ipynb`), read(`${t}--2.ipynb`), read(`${t}--3.ipynb`), { outputs });
        conflicts += mm.stats.conflicts;
        if (mm.stats.conflicts === 0) {
          assertCleanThroughFile(mm);
          continue;
        }
        assertSameConflicts(throughFile(mm, t), mm);
        assertSameResults(throughFile(mm, t), mm);
      }
    }
    assert.ok(conflicts > 0, 'the triples hold conflicts');
  });

  const runs = fuzzRuns(150);
  it(fuzzTitle('reads back the same merge from random conflicted notebooks, resolving alike', runs), () => {
    const lines = fc.array(fc.constantFrom('x = 1', 'y = x + 1', 'print(y)', 'df.head()', '# note', 'plot(x)'), { minLength: 2, maxLength: 4 });
    const cellArb = fc.record({ md: fc.boolean(), lines, tag: fc.constantFrom(undefined, 'a', 'b'), out: fc.constantFrom(undefined, '1\n', '2\n') }).map(
      ({ md, lines, tag, out }): RawCell => {
        const metadata: JsonObject = tag ? { tags: [tag] } : {};
        return md ? markdown(lines.join('\n'), { metadata }) : code(lines.join('\n'), { metadata, outputs: out ? [stream(out)] : [], execution_count: out ? 1 : null });
      },
    );
    const op = fc.record({ kind: fc.constantFrom('keep', 'keep', 'edit', 'delete', 'tag', 'output'), line: fc.nat({ max: 5 }), word: fc.constantFrom('z = 2', 'print(z)', 'w = 3') });
    const arb = fc.record({ base: fc.array(cellArb, { minLength: 1, maxLength: 8 }), ids: fc.boolean(), local: fc.array(op, { minLength: 8, maxLength: 8 }), remote: fc.array(op, { minLength: 8, maxLength: 8 }), added: fc.option(cellArb, { nil: undefined }), meta: fc.constantFrom('same', 'ours', 'both') });
    type Op = { kind: string; line: number; word: string };
    const derive = (cells: RawCell[], ops: Op[], side: string): RawCell[] =>
      cells.flatMap((c, k) => {
        const o = ops[k] as Op;
        const copy = structuredClone(c);
        const src = String(copy.source).split('\n');
        if (o.kind === 'delete') return [];
        if (o.kind === 'edit') src[o.line % src.length] = `${o.word} # ${side}`;
        if (o.kind === 'tag') copy.metadata = { tags: [side] };
        if (o.kind === 'output' && copy.cell_type === 'code') copy.outputs = [stream(`${side}\n`)];
        copy.source = src.join('\n');
        return [copy];
      });
    let conflicted = 0;
    checkProperty(arb, runs, ({ base, ids, local, remote, added, meta }) => {
      const withIds = ids ? base.map((c, k) => ({ ...c, id: `c${k}` })) : base;
      const l = derive(withIds, local, 'ours');
      const r = derive(withIds, remote, 'theirs');
      if (added) {
        l.push(added);
        r.push({ ...added, source: `${String(added.source)}\n# theirs` });
      }
      const md = (v: string) => ({ kernelspec: { name: v } });
      const mm = merge(notebook(withIds), notebook(l, meta === 'same' ? md('base') : md('ours')), notebook(r, meta === 'both' ? md('theirs') : md('base')));
      if (mm.stats.conflicts === 0) {
        assertCleanThroughFile(mm);
        return;
      }
      conflicted++;
      const back = throughFile(mm);
      assertSameConflicts(back, mm);
      assertSameResults(back, mm);
    });
    assert.ok(conflicted > runs / 3, `only ${conflicted} of ${runs} cases conflict`);
  });
});
