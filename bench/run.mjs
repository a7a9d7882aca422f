// `npm run bench`: runs every bench/*.bench.ts and prints one table. A benchmark measures Labbook
// and, where one exists, a peer tool doing the same job in the same run, and reports the ratio.
// Speed targets are checked here, never by timed assertions in tests.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureFeastVenv, ensurePeerVenv, ensurePythonVenv } from '../scripts/lib/tools.mjs';

const dir = path.dirname(new URL(import.meta.url).pathname);
// Peer tools (mlflow server, …) come from the Python venv.
process.env.LABBOOK_TEST_PYTHON ??= ensurePythonVenv();
process.env.LABBOOK_PEER_PYTHON ??= ensurePeerVenv();
// Feast (requirements-feast.txt) for the Feature Store view's registry benchmark.
process.env.LABBOOK_FEAST_PYTHON ??= ensureFeastVenv();
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();

const rows = [];
for (const file of files) {
  const { benchmarks, dispose } = await import(pathToFileURL(path.join(dir, file)).href);
  try {
    for (const bench of benchmarks) {
      if (only.length && !only.some((o) => bench.name.includes(o))) continue;
      process.stderr.write(`bench: ${bench.name}…\n`);
      const result = await bench.run();
      rows.push({ name: bench.name, ...result });
    }
  } finally {
    // Servers a module started (a peer tool, our endpoint) stop whatever happened.
    await dispose?.();
  }
}

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
