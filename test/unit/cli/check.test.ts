// `labbook check` run as a process, as a CI step runs it: exit 0 when every rule passes, 1 when
// one fails (the rule, column and observed value printed), 2 when a check cannot run; --json and
// --data as documented.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../support/cli.ts';

describe('cli: labbook check', function () {
  this.timeout(120_000);
  let dir: string;
  const checks = (text: string) => writeFileSync(path.join(dir, '.labbook', 'checks.yaml'), text);
  const env = () => {
    const e: Record<string, string | undefined> = { ...process.env };
    delete e['MLFLOW_TRACKING_URI'];
    return e;
  };
  const labbook = (...args: string[]) => runCli(['check', ...args], { cwd: dir, env: env() });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-check-'));
    mkdirSync(path.join(dir, '.labbook'));
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data', 'train.csv'), 'id,age,label\n1,30,0\n2,41,1\n3,212,1\n4,,0\n');
    writeFileSync(path.join(dir, 'data', 'batch.csv'), 'id,age,label\n10,30,2\n11,50,1\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 when every rule passes, 1 when one fails, printing each rule with the checks file line', async () => {
    checks('datasets:\n  - path: data/train.csv\n    columns:\n      age: { max: 250 }\n      label: { allowed: [0, 1] }\n');
    const ok = await labbook();
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /^PASS {3}data\/train\.csv: age: max 212 <= 250 {2}\[\.labbook\/checks\.yaml:4\]$/m);
    assert.match(ok.stdout, /^4 passed, 0 failed, 0 errors$/m);
    checks('datasets:\n  - path: data/train.csv\n    columns:\n      age: { max: 120, maxNullShare: 0 }\n      label: { allowed: [0, 1] }\n');
    const failed = await labbook();
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /^FAIL {3}data\/train\.csv: age: max 212 > 120 {2}\[\.labbook\/checks\.yaml:4\]$/m);
    assert.match(failed.stdout, /^FAIL {3}data\/train\.csv: age: null share 0\.25 > 0 \(1 of 4 rows\)/m);
    assert.match(failed.stdout, /^3 passed, 2 failed, 0 errors$/m);
  });

  it('checks one file with --data against the datasets that match it (else every dataset), and prints JSON', async () => {
    checks('datasets:\n  - path: data/train.csv\n    columns:\n      label: { allowed: [0, 1] }\n');
    const batch = await labbook('--data', 'data/batch.csv', '--json');
    assert.equal(batch.code, 1, batch.stderr);
    const report = JSON.parse(batch.stdout) as { format: string; summary: { failed: number }; results: { rule: string; file: string; message: string; observed?: string; range: { startLine: number } }[]; notes: string[]; files: string[] };
    assert.equal(report.format, 'labbook.checks/1');
    assert.deepEqual(report.files, ['data/batch.csv']);
    assert.deepEqual(report.notes, ["data/batch.csv matches no dataset's path: checked against every dataset's rules"]);
    const allowed = report.results.find((r) => r.rule === 'allowed');
    assert.deepEqual([allowed?.file, allowed?.message, allowed?.observed, allowed?.range.startLine], ['data/batch.csv', "label: 1 value not allowed: '2' (1 row)", "'2' (1 row)", 3]);
    const train = await labbook('--data', 'data/train.csv');
    assert.equal(train.code, 0, train.stdout);
  });

  it('exits 2 for a check that cannot run, a bad checks file, a missing checks file and bad usage', async () => {
    checks('datasets:\n  - path: data/missing.parquet\n    rows: { min: 1 }\n');
    const missing = await labbook();
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /^ERROR {2}data\/missing\.parquet: data\/missing\.parquet does not exist {2}\[\.labbook\/checks\.yaml:2\]$/m);
    checks('datasets:\n  - path: data/train.csv\n    colums: {}\n');
    const bad = await labbook();
    assert.equal(bad.code, 2);
    assert.match(bad.stdout, /ERROR {2}checks file: datasets\[0\]: unknown key 'colums' .*\[\.labbook\/checks\.yaml:3\]/);
    const none = await labbook('--checks', 'elsewhere.yaml');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /there is no checks file at .*elsewhere\.yaml/);
    const usage = await labbook('data/train.csv');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unexpected argument 'data\/train\.csv' \(did you mean --data FILE\?\)/);
    const help = await labbook('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--data FILE/);
  });
});
