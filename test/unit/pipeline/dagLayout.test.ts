// The graph layout the pipeline preview (and later the lineage view) draws with: dagre's layered
// layout over node boxes sized to their labels, and the viewport geometry (fit, zoom, direction,
// ellipsis). Plain Node: the module has no DOM, sizes come in as numbers.
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { readNotebookFile } from '../../../src/core/notebook/readNotebook.ts';
import { planExport } from '../../../src/core/pipeline/planExport.ts';
import { chooseDirection, edgePath, ellipsize, fitTransform, isViewTransform, layoutGraph, layoutToFit, zoomAt, type GraphDirection, type GraphLayout, type PlacedNode } from '../../../webview/shared/graphLayout.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'pipeline');
const SEED = 20261202;
const RUNS = 300;

/** About what the webview measures for a 13 px monospace label, plus the node's padding. */
const box = (label: string) => ({ id: label, width: label.length * 8 + 24, height: 31 });

function overlapping(nodes: readonly PlacedNode[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i] as PlacedNode;
      const b = nodes[j] as PlacedNode;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) found.push(`${a.id} × ${b.id}`);
    }
  }
  return found;
}

/** Every edge goes from an earlier layer to a later one: down (TB) or right (LR), source box before target box. */
function forward(layout: GraphLayout): string[] {
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  return layout.edges.flatMap((e) => {
    const from = at.get(e.from) as PlacedNode;
    const to = at.get(e.to) as PlacedNode;
    const ok = layout.direction === 'TB' ? from.y + from.height <= to.y : from.x + from.width <= to.x;
    return ok ? [] : [`${e.from} -> ${e.to}`];
  });
}

function inside(layout: GraphLayout): boolean {
  const nodesIn = layout.nodes.every((n) => n.x >= 0 && n.y >= 0 && n.x + n.width <= layout.width + 1e-6 && n.y + n.height <= layout.height + 1e-6);
  const edgesIn = layout.edges.every((e) => e.points.every((p) => p.x >= -1e-6 && p.y >= -1e-6 && p.x <= layout.width + 1e-6 && p.y <= layout.height + 1e-6));
  return nodesIn && edgesIn;
}

/** Random DAGs: edges only from a lower to a higher index, labels from one letter to 60 characters. */
const dags = fc
  .record({
    labels: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 14 }),
    pairs: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
    direction: fc.constantFrom<GraphDirection>('TB', 'LR'),
  })
  .map(({ labels, pairs, direction }) => ({
    nodes: labels.map(box),
    edges: pairs.flatMap(([a, b]) => {
      const [i, j] = [a % labels.length, b % labels.length];
      return i < j ? [{ from: labels[i] as string, to: labels[j] as string }] : [];
    }),
    direction,
  }));

describe('graph layout (webview/shared/graphLayout.ts)', () => {
  it(`never overlaps two nodes, keeps everything inside its size and points every edge forward [${RUNS} random DAGs, seed ${SEED}]`, () => {
    let cases = 0;
    fc.assert(
      fc.property(dags, ({ nodes, edges, direction }) => {
        cases++;
        const layout = layoutGraph(nodes, edges, { direction });
        assert.deepEqual(layout.nodes.map((n) => n.id), nodes.map((n) => n.id));
        assert.deepEqual(overlapping(layout.nodes), []);
        assert.deepEqual(forward(layout), []);
        assert.ok(inside(layout), JSON.stringify(layout));
        assert.equal(layout.edges.length, new Set(edges.map((e) => `${e.from}\n${e.to}`)).size);
        assert.ok(layout.edges.every((e) => e.points.length >= 2));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    assert.equal(cases, RUNS);
  });

  it("lays out the Kale notebook's plan top-down: load, prepare, train, evaluate, each below the one it needs", async () => {
    const plan = await planExport(await readNotebookFile(path.join(FIXTURES, 'kale.ipynb')), { notebookName: 'kale.ipynb' });
    const layout = layoutGraph(plan.steps.map((s) => box(s.name)), plan.edges, { direction: 'TB' });
    assert.deepEqual(layout.nodes.map((n) => n.id), ['load', 'prepare', 'train', 'evaluate']);
    assert.deepEqual(layout.edges.map((e) => `${e.from}->${e.to}`), ['load->prepare', 'prepare->train', 'prepare->evaluate', 'train->evaluate']);
    const y = Object.fromEntries(layout.nodes.map((n) => [n.id, n.y]));
    assert.ok((y.load as number) < (y.prepare as number) && (y.prepare as number) < (y.train as number) && (y.train as number) < (y.evaluate as number), JSON.stringify(y));
    assert.deepEqual(forward(layout), []);
    assert.deepEqual(overlapping(layout.nodes), []);
  });

  it('puts independent branches (five models after feature engineering) side by side in one layer, however long their names', () => {
    const models = ['decision_tree_classifier_with_grid_search', 'support_vector_machine', 'naive_bayes', 'logistic_regression_with_cross_validation', 'random_forest'];
    const names = ['load_the_titanic_data', 'preprocess', 'feature_engineering', ...models, 'results'];
    const edges = [
      { from: 'load_the_titanic_data', to: 'preprocess' },
      { from: 'preprocess', to: 'feature_engineering' },
      ...models.flatMap((m) => [{ from: 'feature_engineering', to: m }, { from: m, to: 'results' }]),
    ];
    for (const direction of ['TB', 'LR'] as const) {
      const layout = layoutGraph(names.map(box), edges, { direction });
      const across = (n: PlacedNode) => (direction === 'TB' ? n.y + n.height / 2 : n.x + n.width / 2);
      const modelLayers = new Set(layout.nodes.filter((n) => models.includes(n.id)).map(across));
      assert.equal(modelLayers.size, 1, `${direction}: the models share a layer`);
      assert.deepEqual(overlapping(layout.nodes), []);
      assert.deepEqual(forward(layout), []);
    }
  });

  it('places every node of a cycle, keeps the edges as given, and drops self-loops, duplicates and unknown ends', () => {
    const layout = layoutGraph(
      ['a', 'b', 'c', '__proto__', 'constructor', 'a'].map(box),
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'c' },
        { from: 'ghost', to: 'a' },
        { from: '__proto__', to: 'constructor' },
      ],
    );
    assert.deepEqual(layout.nodes.map((n) => n.id), ['a', 'b', 'c', '__proto__', 'constructor']);
    assert.deepEqual(layout.edges.map((e) => `${e.from}->${e.to}`), ['a->b', 'b->c', 'c->b', '__proto__->constructor']);
    assert.deepEqual(overlapping(layout.nodes), []);
    assert.ok(inside(layout));
    // The edge closing the cycle still starts at its own source and ends at its own target.
    const back = layout.edges.find((e) => e.from === 'c') as GraphLayout['edges'][number];
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    const near = (p: { x: number; y: number }, n: PlacedNode) => p.x >= n.x - 1 && p.x <= n.x + n.width + 1 && p.y >= n.y - 1 && p.y <= n.y + n.height + 1;
    assert.ok(near(back.points[0] as { x: number; y: number }, at.get('c') as PlacedNode) && near(back.points.at(-1) as { x: number; y: number }, at.get('b') as PlacedNode), JSON.stringify(back));
  });

  it('fits a layout into a viewport, centred and never enlarged past 1', () => {
    assert.deepEqual(fitTransform({ width: 1000, height: 200 }, { width: 500, height: 400 }), { scale: 0.5, x: 0, y: 150 });
    assert.deepEqual(fitTransform({ width: 100, height: 50 }, { width: 500, height: 400 }), { scale: 1, x: 200, y: 175 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 3000 }), (w, h, vw, vh) => {
        const t = fitTransform({ width: w, height: h }, { width: vw, height: vh });
        assert.ok(t.scale > 0 && t.scale <= 1);
        assert.ok(t.x >= -1e-6 && t.y >= -1e-6 && t.x + w * t.scale <= vw + 1e-6 && t.y + h * t.scale <= vh + 1e-6);
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it('zooms about a point, which stays where it is, within the limits', () => {
    const view = { scale: 1, x: 10, y: 20 };
    const at = { x: 110, y: 70 };
    const graphPoint = { x: (at.x - view.x) / view.scale, y: (at.y - view.y) / view.scale };
    const zoomed = zoomAt(view, 2, at, { min: 0.2, max: 3 });
    assert.equal(zoomed.scale, 2);
    assert.deepEqual({ x: graphPoint.x * zoomed.scale + zoomed.x, y: graphPoint.y * zoomed.scale + zoomed.y }, at);
    assert.equal(zoomAt(zoomed, 10, at, { min: 0.2, max: 3 }).scale, 3);
    assert.equal(zoomAt(view, 0.01, at, { min: 0.2, max: 3 }).scale, 0.2);
  });

  it('draws an edge as a path from its first point to its last, curving through the bends', () => {
    assert.equal(edgePath([{ x: 0, y: 0 }, { x: 10, y: 20 }]), 'M0.0,0.0 L10.0,20.0');
    assert.equal(edgePath([{ x: 0, y: 0 }, { x: 10, y: 20 }, { x: 30, y: 20 }, { x: 40, y: 40 }]), 'M0.0,0.0 Q10.0,20.0 20.0,20.0 Q30.0,20.0 40.0,40.0');
    assert.equal(edgePath([]), '');
  });

  it('accepts a saved view only when it is three finite numbers with a positive scale', () => {
    assert.equal(isViewTransform({ scale: 1.5, x: -20, y: 3 }), true);
    for (const bad of [null, undefined, 'view', [], {}, { scale: 0, x: 0, y: 0 }, { scale: -1, x: 0, y: 0 }, { scale: 1, x: Number.NaN, y: 0 }, { scale: 1, x: 0 }, { scale: '1', x: 0, y: 0 }, { scale: Infinity, x: 0, y: 0 }]) {
      assert.equal(isViewTransform(bad), false, JSON.stringify(bad));
    }
  });

  it('lays a long chain top-down in a narrow panel and left-to-right in a wide one', () => {
    const names = ['load_the_data', 'clean_the_data', 'feature_engineering', 'train_the_model', 'evaluate_the_model'];
    const edges = names.slice(1).map((n, i) => ({ from: names[i] as string, to: n }));
    const lay = (direction: GraphDirection) => layoutGraph(names.map(box), edges, { direction });
    assert.equal(chooseDirection(lay, 476, 540).direction, 'TB');
    assert.equal(chooseDirection(lay, 1376, 540).direction, 'LR');
  });

  it('fits a wide fan-out into a narrow panel by shortening labels, and keeps whole labels where there is room', () => {
    const models = ['decision_tree_classifier_with_grid_search', 'support_vector_machine', 'naive_bayes', 'logistic_regression_with_cross_validation', 'random_forest'];
    const names = ['load_the_titanic_passenger_data', 'preprocess', 'feature_engineering', ...models, 'results'];
    const edges = [
      { from: names[0] as string, to: 'preprocess' },
      { from: 'preprocess', to: 'feature_engineering' },
      ...models.flatMap((m) => [{ from: 'feature_engineering', to: m }, { from: m, to: 'results' }]),
    ];
    const nodes = names.map((n) => ({ id: n, label: n }));
    const measure = (s: string) => [...s].length * 7.8;
    const options = { measure, nodeHeight: 31, paddingX: 12 };
    const narrow = layoutToFit(nodes, edges, { ...options, width: 476, maxHeight: 516 });
    assert.ok(narrow.scale >= 0.75, `scale ${narrow.scale}`);
    assert.deepEqual(overlapping(narrow.layout.nodes), []);
    assert.equal(narrow.shown.get('results'), 'results');
    assert.match(narrow.shown.get('logistic_regression_with_cross_validation') ?? '', /^logistic.*…$/);
    // Each box is as wide as what it shows, never narrower.
    for (const n of narrow.layout.nodes) assert.ok(n.width >= measure(narrow.shown.get(n.id) ?? '') + 24 - 1e-6, n.id);
    const wide = layoutToFit(nodes, edges, { ...options, width: 1376, maxHeight: 516 });
    assert.equal(wide.scale, 1);
    assert.deepEqual([...wide.shown].filter(([id, text]) => id !== text).map(([id]) => id), ['load_the_titanic_passenger_data', 'decision_tree_classifier_with_grid_search', 'logistic_regression_with_cross_validation']);
    assert.ok([...wide.shown.values()].every((text) => measure(text) <= 180));
  });

  it('shortens a label to the longest prefix that fits with an ellipsis, and leaves short ones alone', () => {
    const measure = (s: string) => [...s].length * 8;
    assert.equal(ellipsize('train', 80, measure), 'train');
    assert.equal(ellipsize('logistic_regression_with_cross_validation', 80, measure), 'logistic_…');
    assert.equal(ellipsize('éèêëēėęěĕə', 40, measure), 'éèêë…');
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 16, max: 400 }), (text, max) => {
        const shown = ellipsize(text, max, measure);
        assert.ok(measure(shown) <= max, `${shown} is ${measure(shown)} wide, max ${max}`);
        if (shown !== text) {
          assert.ok(shown.endsWith('…') && text.startsWith(shown.slice(0, -1)));
          // The longest: one more character would not fit.
          assert.ok(measure(`${[...text].slice(0, [...shown].length).join('')}…`) > max);
        }
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});
