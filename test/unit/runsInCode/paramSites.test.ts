// The parameter sites behind the hovers: argparse calls (positional option strings, dest=,
// default=, type=, several option strings, groups), a notebook's parameters cell, nested YAML and
// JSON keys named as configParams.ts flattens them, and text that does not parse.
import assert from 'node:assert/strict';
import { flattenConfig } from '../../../src/core/launch/configParams.ts';
import { initPythonParser, type PythonParser } from '../../../src/core/pipeline/pythonParser.ts';
import { paramSites, siteAt, type ParamSite } from '../../../src/core/runsInCode/paramSites.ts';
import { parse as parseYaml } from 'yaml';

describe('core/runsInCode: parameter sites', () => {
  let python: PythonParser;
  before(async () => {
    python = await initPythonParser();
  });

  const names = (sites: readonly ParamSite[]) => sites.map((s) => s.names);
  const textOf = (text: string, site: ParamSite | undefined) => (site ? text.slice(site.start, site.end) : undefined);

  describe('argparse', () => {
    const script = [
      'import argparse',
      'parser = argparse.ArgumentParser()',
      'parser.add_argument("--lr", type=float, default=0.01, help="learning rate")',
      "parser.add_argument('--learning-rate', '-r', type=float)",
      'parser.add_argument("--epochs", "-e", dest="n_epochs", default=10, type=int)',
      'parser.add_argument("-b", default=32)',
      'parser.add_argument("data_dir")',
      'group = parser.add_argument_group("model")',
      'group.add_argument(',
      '    "--depth",',
      '    default=[3, 4],',
      ')',
      'name = f"--{x}"',
      'parser.add_argument(name)',
      'parser.add_argument(f"--{x}")',
      'parser.add_argument(dest="only_dest")',
      'other.add(" --not-argparse ")',
      '',
    ].join('\n');

    it('names each argument by its dest, then the option strings as typed', () => {
      const sites = paramSites(script, 'python', python);
      assert.deepEqual(names(sites), [
        ['lr'],
        ['learning_rate', 'learning-rate', 'r'],
        ['n_epochs', 'epochs', 'e'],
        ['b'],
        ['data_dir'],
        ['depth'],
      ]);
      assert.ok(sites.every((s) => s.source === 'argparse'));
    });

    it('keeps the default as written (type= and help= do not matter), and the whole call as its range', () => {
      const sites = paramSites(script, 'python', python);
      assert.equal(sites[0]?.defaultText, '0.01');
      assert.equal(sites[1]?.defaultText, undefined);
      assert.equal(sites[2]?.defaultText, '10');
      assert.equal(sites[5]?.defaultText, '[3, 4]');
      assert.equal(textOf(script, sites[0]), 'parser.add_argument("--lr", type=float, default=0.01, help="learning rate")');
      assert.equal(textOf(script, sites[5]), 'group.add_argument(\n    "--depth",\n    default=[3, 4],\n)');
    });

    it('finds the site under an offset, on any line of a multi-line call', () => {
      const sites = paramSites(script, 'python', python);
      assert.deepEqual(siteAt(sites, script.indexOf('default=0.01'))?.names, ['lr']);
      assert.deepEqual(siteAt(sites, script.indexOf('default=[3, 4]'))?.names, ['depth']);
      assert.equal(siteAt(sites, script.indexOf('import argparse')), undefined);
    });

    it('counts offsets in UTF-16 code units, as VS Code does', () => {
      const text = 'x = "é€😀"\np.add_argument("--lr")\n';
      const [site] = paramSites(text, 'python', python);
      assert.equal(textOf(text, site), 'p.add_argument("--lr")');
    });

    it('reads what it can of a file that does not parse, and never throws', () => {
      const broken = 'def f(:\n    pass\nparser.add_argument("--seed", default=1)\n))) ((( "\n';
      assert.deepEqual(names(paramSites(broken, 'python', python)), [['seed']]);
      assert.deepEqual(paramSites('\u0000\u0001 ))) if if if', 'python', python), []);
      assert.deepEqual(paramSites('', 'python', python), []);
    });
  });

  describe("a notebook's parameters cell", () => {
    it('lists the top-level name = value lines, annotated ones too, not other statements', () => {
      const cell = 'alpha = 0.5\nn_rows: int = 1_000\nmodel = "rf"  # the model\nimport os\nif True:\n    hidden = 1\nx, y = 1, 2\nprint(alpha)\n';
      const sites = paramSites(cell, 'notebookParameters', python);
      assert.deepEqual(names(sites), [['alpha'], ['n_rows'], ['model']]);
      assert.deepEqual(sites.map((s) => s.defaultText), ['0.5', '1_000', '"rf"']);
      assert.ok(sites.every((s) => s.source === 'notebook'));
      assert.equal(textOf(cell, siteAt(sites, cell.indexOf('"rf"'))), 'model = "rf"');
    });
  });

  describe('config files', () => {
    const yaml = [
      'seed: 7',
      'optimizer:',
      '  name: adam',
      '  lr: 0.001',
      '  betas: [0.9, 0.999]',
      'model:',
      '  layers:',
      '    - 64',
      '    - 128',
      '  head: {}',
      '  dropout: null',
      'weird key!: 1',
      '',
    ].join('\n');

    it('names nested YAML keys by their dotted path, exactly the params the launch flattened', () => {
      const sites = paramSites(yaml, 'yaml');
      const flat = Object.keys(flattenConfig(parseYaml(yaml)));
      assert.deepEqual(sites.map((s) => s.names[0]), flat);
      assert.deepEqual(flat, ['seed', 'optimizer.name', 'optimizer.lr', 'optimizer.betas', 'model.layers', 'model.head', 'model.dropout', 'weird key!']);
      // The key MLflow accepted, when the launch had to change it.
      assert.deepEqual(sites.at(-1)?.names, ['weird key!', 'weird key_']);
      assert.equal(textOf(yaml, siteAt(sites, yaml.indexOf('lr:'))), 'lr');
      assert.equal(siteAt(sites, yaml.indexOf('lr:'))?.defaultText, '0.001');
      assert.ok(sites.every((s) => s.source === 'config'));
    });

    it('reads JSON the same way', () => {
      const json = '{\n  "train": {"lr": 0.1, "epochs": 3},\n  "tags": ["a"],\n  "empty": {}\n}\n';
      const sites = paramSites(json, 'json');
      assert.deepEqual(sites.map((s) => s.names[0]), ['train.lr', 'train.epochs', 'tags', 'empty']);
      assert.deepEqual(sites.map((s) => s.names[0]), Object.keys(flattenConfig(JSON.parse(json))));
      assert.equal(textOf(json, siteAt(sites, json.indexOf('"epochs"') + 2)), '"epochs"');
    });

    it('gives no sites for a file that does not parse, a top-level list or a scalar', () => {
      assert.deepEqual(paramSites('a: [1, 2\nb: : :\n', 'yaml'), []);
      assert.deepEqual(paramSites('{"a": 1,, }', 'json'), []);
      assert.deepEqual(paramSites('- 1\n- 2\n', 'yaml'), []);
      assert.deepEqual(paramSites('42', 'json'), []);
      assert.deepEqual(paramSites('', 'yaml'), []);
    });
  });
});
