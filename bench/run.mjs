// `npm run bench`: runs every bench/*.bench.ts and prints one table. A benchmark measures Labbook
// and, where one exists, a peer tool doing the same job in the same run, and reports the ratio.
// Speed targets are checked here, never by timed assertions in tests.
import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ensureFeastVenv, ensurePeerVenv, ensurePythonVenv } from '../scripts/lib/tools.mjs';

const dir = path.dirname(new URL(import.meta.url).pathname);
// Peer tools (mlflow server, …) come from the Python venv.
process.env.LABBOOK_TEST_PYTHON ??= ensurePythonVenv();
process.env.LABBOOK_PEER_PYTHON ??= ensurePeerVenv();
// Feast (requirements-feast.txt) for the Feature Store view's registry benchmark.
process.env.LABBOOK_FEAST_PYTHON ??= ensureFeastVenv();
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();

/**
 * Runs one bench file in a process of its own (runFile.mjs) and resolves with its rows. A file
 * that grows its process (a 144k-run fixture, a 10k-run store) would otherwise slow every spawn
 * of the files after it, since fork copies the process' page tables (about 100 ms a spawn at
 * 2 GB here), and the launch, queue and sweep figures would be the harness's, not Labbook's.
 */
function runFile(file) {
  return new Promise((resolve, reject) => {
    const rows = [];
    const child = fork(path.join(dir, 'runFile.mjs'), [file, ...only], { stdio: 'inherit', serialization: 'advanced' });
    child.on('message', (row) => rows.push(row));
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve(rows) : reject(new Error(`bench/${file} failed (${signal ?? `exit code ${code}`})`))));
  });
}

const rows = [];
for (const file of files) rows.push(...(await runFile(file)));

const fmt = (ms) => (ms === undefined ? '—' : ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
const table = [
  ['benchmark', 'Labbook ms', 'peer', 'peer ms', 'peer/Labbook', 'target'],
  ...rows.map((r) => [
    r.name,
    fmt(r.oursMs),
    r.peer ?? '—',
    fmt(r.peerMs),
    r.peerMs === undefined ? '—' : `${(r.peerMs / r.oursMs).toFixed(1)}×`,
    r.target ?? '—',
  ]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
const line = (row) => `| ${row.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(table[0]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table.slice(1)) console.log(line(row));
const missed = rows.filter((r) => r.met === false);
for (const r of missed) console.log(`target missed: ${r.name} (${r.target})`);
process.exit(missed.length ? 1 : 0);
