import assert from 'node:assert/strict';
import { parseRecipes, starterRecipes } from '../../../src/core/launch/recipes.ts';

describe('run recipes (.labbook/runs.json)', () => {
  it('reads scripts and notebooks with their args, parameters, env, data and experiment', () => {
    const { recipes, problems } = parseRecipes(
      JSON.stringify({
        recipes: [
          { name: 'fast', program: 'train.py', args: ['--lr', '0.1'], dataPaths: ['data/'], env: { SEED: '1' }, experiment: 'churn', cwd: 'src' },
          { name: 'sweep', program: 'nb/explore.ipynb', parameters: { alpha: 0.5 } },
        ],
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(recipes[0], { name: 'fast', program: 'train.py', kind: 'script', args: ['--lr', '0.1'], parameters: {}, env: { SEED: '1' }, dataPaths: ['data/'], cwd: 'src', experiment: 'churn' });
    assert.equal(recipes[1]?.kind, 'notebook');
    assert.deepEqual(recipes[1]?.parameters, { alpha: 0.5 });
    assert.deepEqual(recipes[1]?.args, []);
  });

  it('skips bad recipes with a message naming the recipe and field, keeping the good ones', () => {
    const { recipes, problems } = parseRecipes(
      JSON.stringify({
        recipes: [
          { name: 'ok', program: 'a.py' },
          { program: 'b.py' },
          { name: 'ok', program: 'c.py' },
          { name: 'shell', program: 'run.sh' },
          { name: 'args', program: 'd.py', args: '--lr 1' },
          { name: 'env', program: 'e.py', env: { N: 1 } },
          'not an object',
        ],
      }),
    );
    assert.deepEqual(recipes.map((r) => r.name), ['ok']);
    assert.deepEqual(problems, [
      'recipe 2 has no "name".',
      'recipe 3: the name "ok" is used twice.',
      '"shell": "program" must be a .py script or an .ipynb notebook.',
      '"args": "args" must be a list of strings.',
      '"env": "env" must map names to strings.',
      'recipe 7 is not an object.',
    ]);
  });

  it('explains a file that is not JSON or has no recipes list', () => {
    assert.match(parseRecipes('{ nope').problems[0] ?? '', /is not valid JSON/);
    assert.deepEqual(parseRecipes('{"runs": []}').problems, ['.labbook/runs.json needs a "recipes" array.']);
  });

  it('writes a starter file that reads back', () => {
    const text = starterRecipes('src/train.py', []);
    const { recipes, problems } = parseRecipes(text);
    assert.deepEqual(problems, []);
    assert.equal(recipes[0]?.name, 'train');
    assert.equal(parseRecipes(starterRecipes('explore.ipynb', [])).recipes[0]?.kind, 'notebook');
  });
});
