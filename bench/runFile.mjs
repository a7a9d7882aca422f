// One bench file, in a process of its own (bench/run.mjs forks one per file): runs the file's
// benchmarks that match the filters given after it and sends each row to run.mjs.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, ...only] = process.argv.slice(2);
const { benchmarks, dispose } = await import(pathToFileURL(path.join(import.meta.dirname, file)).href);
try {
  for (const bench of benchmarks) {
    if (only.length && !only.some((o) => bench.name.includes(o))) continue;
    process.stderr.write(`bench: ${bench.name}…\n`);
    const result = await bench.run();
    await new Promise((resolve, reject) => process.send({ name: bench.name, ...result }, (err) => (err ? reject(err) : resolve())));
  }
} finally {
  // Servers a module started (a peer tool, our endpoint) stop whatever happened.
  await dispose?.();
}
// A module may leave a timer or a handle behind: its rows are sent, so this process is done.
process.exit(0);
