// Type-checks each layer under its own tsconfig (strict). Exit code non-zero on any error.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
let failed = false;
for (const project of ['tsconfig.core.json', 'tsconfig.host.json', 'tsconfig.webview.json', 'tsconfig.browserTests.json']) {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  console.log(`${result.status === 0 ? 'ok  ' : 'FAIL'} ${project}`);
  failed ||= result.status !== 0;
}
process.exit(failed ? 1 : 0);
