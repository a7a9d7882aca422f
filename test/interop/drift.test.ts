// Drift on generated data with known shifts (pandas, in the test venv): a numeric mean shift and
// a categorical share change are flagged, and only those; the id and timestamp columns are left
// out. Then Evidently's DataDriftPreset (the peers venv) on the same files: per column, the same
// test, the same decision, and the same score within a tolerance. The agreement table is printed.
//
// Tolerance: both sides compute the same formulas in float64; what differs is the order of the
// sums (numpy's pairwise sums against a running sum) and, for CSV, the text-to-double parsing
// (pandas' fast parser may be 1 ulp off the exact value DuckDB reads). Both move a score by far
// less than 1e-9 relative; 1e-6 leaves room without hiding a wrong formula (those differ by %).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { driftBetween } from '../../src/core/drift/driftSources.ts';
import type { DriftReport } from '../../src/core/drift/types.ts';
import { readTable } from '../../src/core/profile/readTable.ts';
import { runCli } from '../support/cli.ts';
import { evidentlyDrifted, evidentlyTest, generateDriftTables, runEvidently, SHIFTED, type EvidentlyResult } from './driftData.ts';

const RTOL = 1e-6;

function agreement(report: DriftReport, ev: EvidentlyResult, title: string): { rows: string[]; compared: number } {
  const rows = [`${title}`, 'column      | Labbook test   | Labbook score | drift | Evidently test                 | Evidently score | drift | agree'];
  let compared = 0;
  for (const [column, e] of Object.entries(ev.columns).sort()) {
    const c = report.columns.find((x) => x.column === column);
    assert.ok(c && !c.skipped, `Labbook compared ${column}`);
    const evDrift = evidentlyDrifted(e);
    const sameTest = evidentlyTest(e.method) === c.test;
    const scoreOk = !sameTest || Math.abs((c.score ?? Number.NaN) - e.score) <= 1e-12 + RTOL * Math.abs(e.score);
    rows.push(`${column.padEnd(11)} | ${String(c.test).padEnd(14)} | ${(c.score ?? Number.NaN).toPrecision(8).padStart(13)} | ${c.drifted ? 'yes' : 'no '}   | ${e.method.padEnd(30)} | ${e.score.toPrecision(8).padStart(15)} | ${evDrift ? 'yes' : 'no '}   | ${c.drifted === evDrift && scoreOk ? 'yes' : 'NO'}`);
    assert.equal(c.drifted, evDrift, `${column}: Labbook ${c.drifted}, Evidently ${evDrift}`);
    assert.ok(scoreOk, `${column}: Labbook ${c.score}, Evidently ${e.score} (${e.method})`);
    compared++;
  }
  rows.push(`dataset: Labbook ${report.dataset.driftedColumns}/${report.dataset.comparedColumns} drifted (share ${report.dataset.share.toFixed(3)}); Evidently ${ev.dataset.count} (share ${ev.dataset.share.toFixed(3)})`);
  return { rows, compared };
}

function assertOnlyShifted(report: DriftReport): void {
  const drifted = report.columns.filter((c) => c.drifted).map((c) => c.column).sort();
  assert.deepEqual(drifted, [...SHIFTED].sort());
  for (const id of ['id', 'ts']) assert.match(report.columns.find((c) => c.column === id)?.skipped ?? '', /identifies rows/, `${id} left out`);
  assert.equal(report.columns[0]?.drifted, true, 'drifted columns first');
}

for (const rows of [5000, 600]) {
  describe(`drift interop: ${rows} rows (${rows > 1000 ? 'Wasserstein / Jensen–Shannon' : 'KS / chi-square'}) against Evidently`, function () {
    this.timeout(300_000);
    let dir: string;
    const tables: string[] = [];
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'labbook-drift-interop-'));
      await generateDriftTables(dir, rows);
    });
    after(() => {
      console.log(tables.join('\n\n'));
      rmSync(dir, { recursive: true, force: true });
    });

    it('labbook drift on the CSV files flags exactly the shifted columns, and agrees with Evidently', async () => {
      const cli = await runCli(['drift', 'reference.csv', 'current.csv', '--json'], { cwd: dir, timeoutMs: 120_000 });
      assert.equal(cli.code, 0, `2 of 7 columns is below the default share 0.5: ${cli.stderr}`);
      const report = JSON.parse(cli.stdout) as DriftReport;
      assertOnlyShifted(report);
      assert.equal(report.dataset.comparedColumns, 7);
      const ev = await runEvidently(dir, path.join(dir, 'reference.csv'), path.join(dir, 'current.csv'));
      const { rows: table, compared } = agreement(report, ev, `CSV, ${rows} rows`);
      tables.push(table.join('\n'));
      assert.equal(compared, 7);
      assert.equal(report.dataset.driftedColumns, ev.dataset.count);
    });

    it('driftBetween on the Parquet files gives the same verdicts as Evidently', async () => {
      const report = await driftBetween({ kind: 'file', path: 'reference.parquet' }, { kind: 'file', path: 'current.parquet' }, { cwd: dir, readTable: (f) => readTable(f) });
      assertOnlyShifted(report);
      const ev = await runEvidently(dir, path.join(dir, 'reference.parquet'), path.join(dir, 'current.parquet'));
      tables.push(agreement(report, ev, `Parquet, ${rows} rows`).rows.join('\n'));
    });

    it('--threshold sets the dataset share: 0.25 makes 2 of 7 a dataset drift (exit 1), and the text table names the tests', async () => {
      const cli = await runCli(['drift', 'reference.parquet', 'current.parquet', '--threshold', '0.25'], { cwd: dir, timeoutMs: 120_000 });
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout, /^column\s+test\s+score\s+threshold\s+drifted$/m);
      assert.match(cli.stdout, /^num_shift\s+(ks|wasserstein)\s+\S+\s+\S+\s+DRIFT$/m);
      assert.match(cli.stdout, /dataset drift: 2 of 7 compared columns drifted/);
    });
  });
}

describe('labbook drift: errors', () => {
  it('exits 2 with one line for a file that does not exist, and for a bad --test', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-drift-err-'));
    try {
      const missing = await runCli(['drift', 'nope.csv', 'also-nope.csv'], { cwd: dir });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /nope\.csv is not a file here/);
      const bad = await runCli(['drift', 'a', 'b', '--test', 'x=zz'], { cwd: dir });
      assert.equal(bad.code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
