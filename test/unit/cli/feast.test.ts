import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { feastCommand, parseFeastArgs } from '../../../src/cli/feastCommand.ts';
import { UsageError } from '../../../src/cli/usage.ts';

describe('cli: labbook feast skew, its arguments', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-feast-'));
    mkdirSync(path.join(dir, 'repo'));
    writeFileSync(path.join(dir, 'repo', 'feature_store.yaml'), 'project: churn\n');
    writeFileSync(path.join(dir, 'keys.csv'), 'customer_id\n1\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the service, the entities, the repository and the options, with their defaults', () => {
    assert.deepEqual(parseFeastArgs(['skew', 'churn_features', '--entities', 'keys.csv', '--repo', 'repo'], dir), {
      service: 'churn_features', entities: path.join(dir, 'keys.csv'), repo: path.join(dir, 'repo'), python: 'python3', sample: 1000, seed: 0, threshold: 0, json: false,
    });
    const full = parseFeastArgs(['skew', 's', '--entities', 'keys.csv', '--repo', 'repo', '--python', '/py', '--sample', '50', '--seed', '7', '--threshold', '0.05', '--json'], dir);
    assert.ok(full !== 'help');
    assert.deepEqual([full.python, full.sample, full.seed, full.threshold, full.json], ['/py', 50, 7, 0.05, true]);
    assert.equal(parseFeastArgs([], dir), 'help');
    assert.equal(parseFeastArgs(['skew', '--help'], dir), 'help');
  });

  it('refuses what cannot run, saying why, and exits 2', async () => {
    const cases: [string[], RegExp][] = [
      [['plan'], /unknown feast command 'plan'/],
      [['skew', '--entities', 'keys.csv', '--repo', 'repo'], /expected one feature service/],
      [['skew', 's', '--repo', 'repo'], /--entities FILE is required/],
      [['skew', 's', '--entities', 'nope.csv', '--repo', 'repo'], /does not exist/],
      [['skew', 's', '--entities', 'keys.csv'], /has no feature_store\.yaml/],
      [['skew', 's', '--entities', 'keys.csv', '--repo', 'repo', '--threshold', '2'], /--threshold must be a share/],
      [['skew', 's', '--entities', 'keys.csv', '--repo', 'repo', '--sample', '0'], /--sample must be an integer of at least 1/],
    ];
    for (const [args, message] of cases) assert.throws(() => parseFeastArgs(args, dir), (err: unknown) => err instanceof UsageError && message.test(err.message), args.join(' '));
    let stderr = '';
    const code = await feastCommand(['skew', 's'], { stdout: { write: () => true }, stderr: { write: (t: string) => ((stderr += t), true) }, env: {}, cwd: dir });
    assert.equal(code, 2);
    assert.match(stderr, /^labbook feast: --entities FILE is required/);
  });
});
