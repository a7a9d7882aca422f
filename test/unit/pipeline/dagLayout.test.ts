import assert from 'node:assert/strict';
import { layerSteps } from '../../../webview/pipeline/layout.ts';

const layers = (nodes: ReturnType<typeof layerSteps>) => Object.fromEntries(nodes.map((n) => [n.name, n.layer]));

describe('pipeline preview: the DAG layout', () => {
  it('puts each step one layer after its deepest predecessor (longest path)', () => {
    const nodes = layerSteps(['load', 'clean', 'features', 'train', 'report'], [
      { from: 'load', to: 'clean' },
      { from: 'clean', to: 'features' },
      { from: 'load', to: 'train' },
      { from: 'features', to: 'train' },
      { from: 'train', to: 'report' },
      { from: 'load', to: 'report' },
    ]);
    assert.deepEqual(layers(nodes), { load: 0, clean: 1, features: 2, train: 3, report: 4 });
  });

  it('spreads independent steps over rows of one layer, and ignores unknown names and self-loops', () => {
    const nodes = layerSteps(['a', 'b', 'c', 'd'], [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
      { from: 'ghost', to: 'd' },
      { from: 'd', to: 'd' },
    ]);
    assert.deepEqual(layers(nodes), { a: 0, b: 1, c: 1, d: 2 });
    const middle = nodes.filter((n) => n.layer === 1);
    assert.deepEqual(middle.map((n) => n.row).sort(), [0, 1]);
    assert.ok(middle.every((n) => n.layerSize === 2));
  });

  it('still places every step of a cycle (the export warns about cycles)', () => {
    const nodes = layerSteps(['a', 'b', 'c'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'b' },
    ]);
    assert.deepEqual(nodes.map((n) => n.name).sort(), ['a', 'b', 'c']);
    assert.ok(nodes.every((n) => Number.isInteger(n.layer) && n.layer >= 0));
  });
});
