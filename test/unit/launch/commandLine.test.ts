import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, splitCommandLine } from '../../../src/core/launch/commandLine.ts';
import { fitParams, flattenConfig, readConfigParams, unloggedParams } from '../../../src/core/launch/configParams.ts';
import { LaunchError } from '../../../src/core/launch/errors.ts';

describe('core/launch: command-line args and config files as params', () => {
  it('reads every option form', () => {
    assert.deepEqual(parseArgs(['--lr', '0.1', '--momentum=0.9', '-n', '5', '--verbose', '--no-cache', '--offset', '-3', '-q']).params, {
      lr: '0.1', momentum: '0.9', n: '5', verbose: 'true', cache: 'false', offset: '-3', q: 'true',
    });
  });

  it('numbers positionals, joins repeated keys with commas, and takes everything after -- as positional', () => {
    assert.deepEqual(parseArgs(['train.csv', '--tag', 'a', '--tag=b', 'extra', '--', '--not-an-option']).params, {
      tag: 'a,b', 'arg.0': 'train.csv', 'arg.1': 'extra', 'arg.2': '--not-an-option',
    });
  });

  it('keeps quoted values whole and an option followed by an option is a flag', () => {
    assert.deepEqual(parseArgs(['--name', 'two words', '--dry-run', '--x=a=b']).params, { name: 'two words', 'dry-run': 'true', x: 'a=b' });
    assert.deepEqual(splitCommandLine(`--name "two words" --msg='it''s' a\\ b --q="say \\"hi\\""`), ['--name', 'two words', '--msg=its', 'a b', '--q=say "hi"']);
    assert.throws(() => splitCommandLine('--name "open'), (e: unknown) => e instanceof LaunchError && /Unclosed double quote/.test(e.message));
  });

  it('lists config files among values and positionals', () => {
    assert.deepEqual(parseArgs(['--config', 'conf/train.yaml', 'extra.json', '--other=x.yml', '--t', 'a.toml', '--lr', '1']).configFiles, ['conf/train.yaml', 'extra.json', 'x.yml', 'a.toml']);
  });

  it('flattens nested config with dotted keys, lists as JSON', () => {
    assert.deepEqual(flattenConfig({ optimizer: { lr: 0.1, betas: [0.9, 0.99], name: 'adam' }, seed: null, empty: {}, on: true }), {
      'optimizer.lr': '0.1', 'optimizer.betas': '[0.9,0.99]', 'optimizer.name': 'adam', seed: 'null', empty: '{}', on: 'true',
    });
  });

  it('reads YAML and JSON configs; bad ones become notes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-config-'));
    try {
      writeFileSync(path.join(dir, 'a.yaml'), 'model:\n  depth: 4\n  layers: [1, 2]\nlr: 1e-3\n');
      writeFileSync(path.join(dir, 'b.json'), '{"data": {"path": "x.csv"}}');
      writeFileSync(path.join(dir, 'bad.json'), '{');
      const { params, notes } = await readConfigParams(['a.yaml', 'b.json', 'bad.json', 'missing.yml', 'c.toml'], dir);
      assert.deepEqual(params, { 'model.depth': '4', 'model.layers': '[1,2]', lr: '0.001', 'data.path': 'x.csv' });
      assert.equal(notes.length, 3);
      assert.match(notes.join('\n'), /bad\.json: not parsed[\s\S]*missing\.yml: not read[\s\S]*TOML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fits params to MLflow limits, noting each change', () => {
    const { params, notes } = fitParams({ ok: '1', 'bad key!': 'v', long: 'x'.repeat(7000), ['k'.repeat(300)]: 'v' });
    assert.deepEqual(params.map((p) => [p.key, p.value.length]), [['ok', 1], ['bad key_', 1], ['long', 6000], ['k'.repeat(250), 1]]);
    assert.equal(notes.length, 3);
  });

  it("logs only the parsed params the script did not log itself, noting where the script's value differs", () => {
    const parsed = [{ key: 'lr', value: '1e-3' }, { key: 'epochs', value: '3' }, { key: 'model', value: 'rf' }];
    const logged = [{ key: 'lr', value: '0.001' }, { key: 'epochs', value: '3' }, { key: 'seed', value: '1' }];
    assert.deepEqual(unloggedParams(parsed, logged), {
      params: [{ key: 'model', value: 'rf' }],
      notes: ["param lr: the script logged '0.001'; the parsed '1e-3' was not logged."],
    });
    assert.deepEqual(unloggedParams(parsed, []), { params: parsed, notes: [] });
  });
});
