import assert from 'node:assert/strict';
import { planTagEdits, rewriteNotebookTags, StepEditError, stepNameProblem, type StepOutline } from '../../../src/host/pipeline/stepTags.ts';

const step = (name: string, cells: number[], title = name): StepOutline => ({ name, title, cells });
const asObject = (m: Map<number, string[]>) => Object.fromEntries(m);

describe('pipeline preview: editing steps by cell tags', () => {
  // Kale-tagged notebook: 0 imports, 1–2 load, 3 prepare (prev:load), 4 train (prev:prepare).
  const tags = [['imports'], ['step:load'], [], ['step:prepare', 'prev:load'], ['step:train', 'prev:prepare']];
  const steps = [step('load', [1, 2]), step('prepare', [3]), step('train', [4])];

  it('renames a step in its step: tag and in every prev: tag that names it', () => {
    assert.deepEqual(asObject(planTagEdits(tags, 'tags', steps, { kind: 'rename', step: 'prepare', name: 'features' })), {
      3: ['step:features', 'prev:load'],
      4: ['step:train', 'prev:features'],
    });
  });

  it('merges a step into the one before it, dropping a prev: that would point a step at itself', () => {
    assert.deepEqual(asObject(planTagEdits(tags, 'tags', steps, { kind: 'merge', step: 'prepare' })), {
      3: ['step:load'],
      4: ['step:train', 'prev:load'],
    });
    assert.throws(() => planTagEdits(tags, 'tags', steps, { kind: 'merge', step: 'load' }), (e: unknown) => e instanceof StepEditError && /first step/.test(e.message));
  });

  it('splits a step at a cell, and refuses cells that start a step or belong to none', () => {
    assert.deepEqual(asObject(planTagEdits(tags, 'tags', steps, { kind: 'split', cell: 2, name: 'clean' })), { 2: ['step:clean'] });
    assert.throws(() => planTagEdits(tags, 'tags', steps, { kind: 'split', cell: 1, name: 'x' }), /already starts the step 'load'/);
    assert.throws(() => planTagEdits(tags, 'tags', steps, { kind: 'split', cell: 0, name: 'x' }), /not part of a step/);
  });

  it('first gives every step a step: tag in a notebook split by headings, so one edit keeps the others', () => {
    const plain = [[], [], [], []];
    const byHeadings = [step('load_data', [0, 1]), step('train_model', [2, 3])];
    assert.deepEqual(asObject(planTagEdits(plain, 'headings', byHeadings, { kind: 'rename', step: 'train_model', name: 'fit' })), {
      0: ['step:load_data'],
      2: ['step:fit'],
    });
  });

  it('checks new names: Python identifiers, not taken', () => {
    assert.match(stepNameProblem('2fast', steps) ?? '', /Python identifier/);
    assert.match(stepNameProblem('train', steps) ?? '', /already a step named 'train'/);
    assert.equal(stepNameProblem('train', steps, 'train'), undefined, 'renaming a step to its own name is fine');
    assert.throws(() => planTagEdits(tags, 'tags', steps, { kind: 'rename', step: 'gone', name: 'x' }), /preview was out of date/);
  });

  it('rewrites only the changed tags of an .ipynb, keeping its indentation, line ends and other metadata', () => {
    const text = '{\r\n  "cells": [\r\n    {\r\n      "cell_type": "code",\r\n      "metadata": {"tags": ["step:a"], "scrolled": true},\r\n      "source": "x = 1"\r\n    },\r\n    {\r\n      "cell_type": "code",\r\n      "metadata": {"tags": ["skip"]},\r\n      "source": "y = 2"\r\n    }\r\n  ],\r\n  "nbformat": 4\r\n}\r\n';
    const out = rewriteNotebookTags(text, new Map([[0, ['step:b']], [1, []]]));
    assert.ok(out.endsWith('}\r\n') && out.includes('\r\n  "cells"'), 'two-space indentation and CRLF kept');
    const json = JSON.parse(out) as { cells: { metadata: Record<string, unknown> }[] };
    assert.deepEqual(json.cells[0]?.metadata, { tags: ['step:b'], scrolled: true });
    assert.deepEqual(json.cells[1]?.metadata, {}, 'an empty list removes the tags key');
    assert.equal(rewriteNotebookTags(text, new Map()), JSON.stringify(JSON.parse(text), null, '  ').replace(/\n/g, '\r\n') + '\r\n');
    assert.throws(() => rewriteNotebookTags('{"nbformat": 4}', new Map([[0, []]])), /no cell list/);
  });
});
