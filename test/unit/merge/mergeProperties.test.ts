// Properties of the merge over random notebooks: a base of 0–30 cells (short multi-line sources,
// ids on some notebooks, tags and outputs on some cells), and two sides derived from it by random
// edits (lines inserted, deleted and edited; cells inserted, deleted, moved and retyped; metadata
// outputs and attachments changed; look-alike cells appended, so both sides sometimes add "the same"
// cell). Seeded, so every run checks the same cases.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isJsonObject, jsonEqual } from '../../../src/core/diff/json.ts';
import type { MergeSide, NotebookMerge } from '../../../src/core/merge/model.ts';
import type { JsonObject, JsonValue, Notebook, NotebookCell } from '../../../src/core/notebook/notebookModel.ts';
import { checkProperty, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';
import { code, markdown, merge, notebook, stream, type RawCell } from './notebooks.ts';

const WORDS = ['x = 1', 'y = x + 1', 'print(y)', 'import os', 'df.head()', '# note', 'return a', 'plot(x)', 'for i in range(3):', '    pass'];
const line = fc.tuple(fc.constantFrom(...WORDS), fc.nat({ max: 40 })).map(([w, n]) => (n < 10 ? w : `${w}  # ${n}`));
const sourceOf = (lines: string[]) => lines.join('\n');

const rawCell = fc.record({
  lines: fc.array(line, { minLength: 1, maxLength: 5 }),
  tags: fc.option(fc.constantFrom(['a'], ['b'], ['a', 'b']), { nil: undefined }),
  output: fc.option(fc.constantFrom('1\n', '2\n', 'done\n'), { nil: undefined }),
});
const cellArb = fc.tuple(fc.nat({ max: 3 }), rawCell).map(([kind, c]): RawCell => {
  const metadata: JsonObject = c.tags ? { tags: [...c.tags] } : {};
  if (kind === 0) return markdown(sourceOf(c.lines), { metadata });
  return code(sourceOf(c.lines), { metadata, outputs: c.output ? [stream(c.output)] : [], execution_count: c.output ? 1 : null });
});
// Ids: none (nbformat 4.4), unique, or repeated (invalid, but found in hand-merged files).
const baseArb = fc
  .record({ cells: fc.array(cellArb, { maxLength: 30 }), ids: fc.constantFrom('none', 'unique', 'unique', 'repeated') })
  .map(({ cells, ids }) => (ids === 'none' ? cells : cells.map((c, i) => ({ ...c, id: `c${ids === 'unique' ? i : i % 3}` }))));

const OPS = ['insertLine', 'deleteLine', 'editLine', 'insertCell', 'appendTwin', 'deleteCell', 'moveCell', 'metadata', 'outputs', 'retype', 'attach'] as const;
const editArb = fc.record({ op: fc.constantFrom(...OPS), a: fc.nat({ max: 1000 }), b: fc.nat({ max: 1000 }), line, cell: cellArb });
const editsArb = fc.array(editArb, { maxLength: 8 });
type Edits = Array<{ op: (typeof OPS)[number]; a: number; b: number; line: string; cell: RawCell }>;

/** The side's notebook: `edits` applied in turn to a copy of base (`tag` names the side's new cells). */
function derive(base: RawCell[], edits: Edits, tag: string): RawCell[] {
  const cells = base.map((c) => structuredClone(c));
  const withIds = base.some((c) => c.id !== undefined);
  edits.forEach((e, n) => {
    const at = cells.length ? e.a % cells.length : 0;
    const cell = cells[at];
    const lines = cell ? String(cell.source).split('\n') : [];
    switch (e.op) {
      case 'insertLine':
      case 'deleteLine':
      case 'editLine':
        if (!cell) return;
        if (e.op === 'insertLine') lines.splice(e.b % (lines.length + 1), 0, e.line);
        else if (e.op === 'deleteLine') lines.splice(e.b % lines.length, 1);
        else lines[e.b % lines.length] = `${e.line} # ${tag}`;
        cell.source = lines.join('\n');
        return;
      case 'insertCell':
        cells.splice(e.b % (cells.length + 1), 0, withIds ? { ...e.cell, id: `${tag}${n}` } : e.cell);
        return;
      case 'appendTwin': {
        // A cell both sides may add at the end, alike but for one line: "the same new cell".
        const twin = code(`def f${e.a % 3}(a):\n    b = a + 1\n    c = b * 2\n    return c  # ${tag}`);
        cells.push(withIds ? { ...twin, id: `${tag}${n}` } : twin);
        return;
      }
      case 'deleteCell':
        if (cell) cells.splice(at, 1);
        return;
      case 'moveCell': {
        if (!cell) return;
        cells.splice(at, 1);
        cells.splice(e.b % (cells.length + 1), 0, cell);
        return;
      }
      case 'metadata':
        if (cell) cell.metadata = e.b % 2 ? { ...cell.metadata, tags: [tag] } : { ...cell.metadata, collapsed: e.b % 3 === 0 };
        return;
      case 'outputs':
        if (cell?.cell_type === 'code') {
          cell.outputs = [stream(`${tag} ${e.b}\n`)];
          cell.execution_count = e.b;
        }
        return;
      case 'retype':
        if (!cell) return;
        if (cell.cell_type === 'code') {
          delete cell.outputs;
          delete cell.execution_count;
          cell.cell_type = 'markdown';
        } else {
          // As Jupyter does: a code cell has no attachments.
          delete cell.attachments;
          cell.cell_type = 'code';
          cell.outputs = [];
          cell.execution_count = null;
        }
        return;
      case 'attach':
        if (cell?.cell_type === 'markdown') cell.attachments = { ...cell.attachments, [`p${e.b % 3}.png`]: { 'image/png': `${tag}${e.b}` } };
        return;
    }
  });
  return cells;
}

const tripleArb = fc.record({ base: baseArb, local: editsArb, remote: editsArb }).map(({ base, local, remote }) => ({
  base: notebook(base),
  local: notebook(derive(base, local, 'L')),
  remote: notebook(derive(base, remote, 'R')),
}));
const pairArb = fc.record({ base: baseArb, edits: editsArb }).map(({ base, edits }) => ({ base: notebook(base), side: notebook(derive(base, edits, 'S')) }));

const RUNS = fuzzRuns(300);
/** A source's lines; an empty source has none (it holds no content to lose). */
const linesOf = (source: string) => (source === '' ? [] : source.split('\n'));

/** `need` as a multiset is within `have` (lines missing from it, as JSON, for the message). */
function missingFrom(need: string[], have: string[]): string[] {
  const count = new Map<string, number>();
  for (const l of have) count.set(l, (count.get(l) ?? 0) + 1);
  return need.filter((l) => {
    const n = count.get(l) ?? 0;
    count.set(l, n - 1);
    return n <= 0;
  });
}

/** Metadata paths `side` set or changed (against `base`) that `held` does not hold as the side has them. */
function keysLost(base: JsonValue | undefined, side: JsonObject, held: JsonValue | undefined, path: string[] = []): string[][] {
  const lost: string[][] = [];
  const b = isJsonObject(base) ? base : {};
  const h = isJsonObject(held) ? held : {};
  for (const [key, value] of Object.entries(side)) {
    if (Object.hasOwn(b, key) && jsonEqual(b[key], value)) continue;
    const kept = Object.hasOwn(h, key) ? h[key] : undefined;
    if (kept !== undefined && jsonEqual(kept, value)) continue;
    if (isJsonObject(value) && isJsonObject(kept)) lost.push(...keysLost(b[key], value, kept, [...path, key]));
    else lost.push([...path, key]);
  }
  return lost;
}

/**
 * Every side cell's content is in the result: its source lines (a multiset) in the merged cell
 * holding it (the side's version when it conflicts), bar base lines the other side removed and the
 * merge recorded; the metadata keys and attachments it set or changed there too (attachments only
 * on a cell that can hold them: not a code cell), bar volatile keys recorded as decided. A side cell
 * in no merged cell is a base cell it left alone and the other side deleted: recorded whole.
 */
function assertSideKept(m: NotebookMerge, base: Notebook, nb: Notebook, side: MergeSide): void {
  const other: MergeSide = side === 'local' ? 'remote' : 'local';
  const usedDeletions = new Set<number>();
  nb.cells.forEach((cell, j) => {
    const at = m.cells.findIndex((c) => c[side] === j);
    const what = `${side} cell ${j}`;
    if (at < 0) {
      const d = m.decisions.find((x) => x.kind === 'deletedCell' && x.by === other && !usedDeletions.has(x.base) && base.cells[x.base]?.source === cell.source);
      assert.ok(d?.kind === 'deletedCell', `${what}: absent from the result without a deletion record`);
      const b = base.cells[d.base] as NotebookCell;
      assert.deepEqual(d.lines, linesOf(b.source), `${what}: the record holds the deleted cell's lines`);
      assert.deepEqual([b.cellType, b.attachments ?? {}], [cell.cellType, cell.attachments ?? {}], `${what}: deleted unchanged`);
      usedDeletions.add(d.base);
      return;
    }
    const merged = m.cells[at] as NotebookMerge['cells'][number];
    const held = merged.versions?.[side] ?? merged.cell;
    const b = merged.base === null ? undefined : base.cells[merged.base];
    const recorded = m.decisions.flatMap((d) => (d.kind === 'deletedLines' && d.cell === at && d.by === other ? d.lines : []));
    assert.deepEqual(missingFrom(linesOf(cell.source), [...linesOf(held.source), ...recorded]), [], `${what}: lines lost`);
    const volatile = m.decisions.flatMap((d) => (d.kind === 'volatileMetadata' && d.cell === at ? [d.path.join('/')] : []));
    const lostKeys = keysLost(b?.metadata, cell.metadata, held.metadata).filter((p) => !volatile.some((v) => p.join('/').startsWith(v)));
    assert.deepEqual(lostKeys, [], `${what}: metadata keys lost`);
    const attachments = (cell.attachments ?? {}) as JsonObject;
    const heldAttachments = held.cellType === 'code' ? {} : ((held.attachments ?? {}) as JsonObject);
    assert.deepEqual(keysLost(b?.attachments as JsonObject | undefined, attachments, heldAttachments), [], `${what}: attachments lost`);
  });
}

function assertIsSide(m: NotebookMerge, side: Notebook, what: string): void {
  assert.equal(m.stats.conflicts, 0, `${what}: no conflict`);
  assert.deepEqual(m.cells.map((c) => c.cell), side.cells, `${what}: the side's cells`);
}

/** Every base cell once (in the result or a deletedCell decision); each side cell at most once, absent only when its base cell was deleted. */
function assertAccounted(m: NotebookMerge, base: Notebook, local: Notebook, remote: Notebook): void {
  const seen = new Array<number>(base.cells.length).fill(0);
  for (const c of m.cells) if (c.base !== null) seen[c.base] = (seen[c.base] as number) + 1;
  for (const d of m.decisions) if (d.kind === 'deletedCell') seen[d.base] = (seen[d.base] as number) + 1;
  assert.deepEqual(seen.filter((n) => n !== 1), [], 'every base cell once');
  for (const [side, nb] of [['local', local], ['remote', remote]] as const) {
    const indices = m.cells.flatMap((c) => (c[side] === null ? [] : [c[side]]));
    assert.equal(new Set(indices).size, indices.length, `${side} cells at most once`);
    const missing = nb.cells.length - indices.length;
    assert.ok(missing <= m.decisions.filter((d) => d.kind === 'deletedCell').length, `${side} cells dropped only with deleted base cells`);
  }
}

describe('merge: properties over random notebooks', function () {
  this.timeout(120_000);

  it(fuzzTitle('merge(base, base, x) and merge(base, x, base) give x without conflict', RUNS), () => {
    checkProperty(pairArb, RUNS, ({ base, side }) => {
      assertIsSide(merge(base, base, side), side, 'remote changed');
      assertIsSide(merge(base, side, base), side, 'local changed');
    });
  });

  it(fuzzTitle('merge(base, x, x) gives x without conflict', RUNS), () => {
    checkProperty(pairArb, RUNS, ({ base, side }) => {
      const m = merge(base, side, side);
      assertIsSide(m, side, 'both alike');
      assert.ok(m.decisions.every((d) => d.kind === 'deletedCell' && d.by === 'both'), 'only agreed deletions');
    });
  });

  it(fuzzTitle('no content is lost: every side cell\'s lines, metadata and attachments are in the result, a version, or a record', RUNS), () => {
    checkProperty(tripleArb, RUNS, ({ base, local, remote }) => {
      const m = merge(base, local, remote);
      assertAccounted(m, base, local, remote);
      assertSideKept(m, base, local, 'local');
      assertSideKept(m, base, remote, 'remote');
    });
  });

  it(fuzzTitle('a base cell rewritten on both sides (no ids, new cells next to it) is never cleanly duplicated', RUNS), () => {
    // The rewrite keeps the cell's words and changes every line (a short cell's rewrite: `lr = 0.1`
    // → `lr = 0.01`); the new cells are unlike anything, of either type, before or after it.
    const newCell = fc.tuple(fc.boolean(), fc.nat({ max: 99 })).map(([md, n]) => (md ? markdown(`## part ${n}`) : code(`extra_${n}()`)));
    const sideArb = fc.record({ tag: fc.nat({ max: 99 }), before: fc.array(newCell, { maxLength: 2 }), after: fc.array(newCell, { maxLength: 2 }) });
    const arb = fc.record({ cells: fc.array(cellArb, { minLength: 1, maxLength: 12 }), at: fc.nat({ max: 100 }), local: sideArb, remote: sideArb });
    checkProperty(arb, RUNS, ({ cells, at, local, remote }) => {
      const k = at % cells.length;
      const target = cells[k] as RawCell;
      const side = (s: typeof local, name: string) => {
        const rewrite = { ...structuredClone(target), source: String(target.source).split('\n').map((l) => `${l}  # ${name}${s.tag}`).join('\n') };
        return { rewrite: rewrite.source, cells: [...cells.slice(0, k), ...s.before, rewrite, ...s.after, ...cells.slice(k + 1)] };
      };
      const l = side(local, 'L');
      const r = side(remote, 'R');
      const m = merge(notebook(cells, {}, 4), notebook(l.cells, {}, 4), notebook(r.cells, {}, 4));
      const clean = m.cells.filter((c) => !c.conflicts.length).map((c) => c.cell.source);
      assert.ok(!(clean.includes(l.rewrite) && clean.includes(r.rewrite)), 'both rewrites kept, without a conflict');
      // And the base cell is one merged cell holding both rewrites.
      const holder = m.cells.find((c) => c.base !== null && (cells[c.base] as RawCell).source === target.source && c.conflicts.length);
      assert.deepEqual([holder?.versions?.local?.source, holder?.versions?.remote?.source], [l.rewrite, r.rewrite]);
    });
  });

  it('the generated triples reach every kind of conflict and decision the properties speak of', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(tripleArb, ({ base, local, remote }) => {
        const m = merge(base, local, remote);
        for (const c of m.cells) for (const k of c.conflicts) seen.add(`conflict:${k.kind}`);
        for (const d of m.decisions) seen.add(`decision:${d.kind}`);
        for (const c of m.cells) seen.add(`origin:${c.origin}`);
      }),
      { seed: 7, numRuns: RUNS },
    );
    const wanted = ['conflict:source', 'conflict:deleted', 'conflict:added', 'conflict:metadata', 'conflict:cellType', 'decision:deletedCell', 'decision:deletedLines', 'decision:outputs', 'origin:combined', 'origin:local', 'origin:remote'];
    assert.deepEqual(wanted.filter((k) => !seen.has(k)), [], `seen: ${[...seen].sort().join(', ')}`);
  });

  it(fuzzTitle('conflicts only where both sides changed the cell (or one deleted what the other changed or kept across its own deletion)', RUNS), () => {
    checkProperty(tripleArb, RUNS, ({ base, local, remote }) => {
      const m = merge(base, local, remote);
      let conflicted = 0;
      for (const c of m.cells) {
        if (!c.conflicts.length) continue;
        conflicted++;
        assert.equal(c.origin, 'conflict');
        const l = c.local === null ? undefined : local.cells[c.local];
        const r = c.remote === null ? undefined : remote.cells[c.remote];
        const b = c.base === null ? undefined : base.cells[c.base];
        if (c.conflicts[0]?.kind === 'deleted') {
          assert.equal(c.conflicts.length, 1);
          const by = c.conflicts[0].deletedBy;
          const kept = by === 'local' ? r : l;
          assert.ok(b && kept, 'the base cell and the side that kept it');
          const changed = b.source !== kept.source || b.cellType !== kept.cellType || !jsonEqual(b.metadata, kept.metadata) || !jsonEqual(b.attachments ?? {}, kept.attachments ?? {});
          // Unchanged but kept: only where the sides deleted crossing cells (each deleted one the other kept).
          const crossing = m.cells.some((o) => o.conflicts.some((k) => k.kind === 'deleted' && k.deletedBy !== by));
          assert.ok(changed || crossing, 'the kept side changed it, or both sides deleted cells the other kept');
          assert.equal(by === 'local' ? c.local : c.remote, null);
          continue;
        }
        assert.ok(l && r, 'both sides have the cell');
        if (b === undefined) assert.equal(c.conflicts[0]?.kind, 'added');
        for (const k of c.conflicts) {
          if (k.kind === 'source') assert.ok(l.source !== (b?.source ?? '') && r.source !== (b?.source ?? '') && l.source !== r.source, 'both changed the source');
          if (k.kind === 'cellType') {
            // Both retyped differently; or one made it code while the other gave it an attachment.
            const attached = (x: NotebookCell) => x.cellType !== 'code' && !jsonEqual(x.attachments ?? {}, b?.attachments ?? {});
            assert.ok(b && l.cellType !== r.cellType && (l.cellType !== b.cellType && r.cellType !== b.cellType || attached(l) || attached(r)));
          }
          if (k.kind === 'metadata') {
            const part = (x: NotebookCell | undefined): JsonValue => (k.part === 'attachments' ? (x?.attachments ?? {}) : (x?.metadata ?? {}));
            assert.ok(!jsonEqual(part(l), part(b)) && !jsonEqual(part(r), part(b)), `both changed the ${k.part}`);
          }
        }
      }
      assert.equal(m.stats.conflicts, conflicted + m.metadata.conflicts.length);
    });
  });
});
