// Entry of the suite that runs inside a real VS Code extension host (the `extensionTestsPath`
// contract: export run(), resolve on success, reject on failure). Works under
// @vscode/test-electron on the desktop and under code-server's extension host here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 30_000,
    color: false,
    reporter: path.resolve(__dirname, '..', '..', '..', 'scripts', 'lib', 'summaryReporter.cjs'),
    // LABBOOK_INTEGRATION_GREP=launch runs only the matching tests (for working on one feature).
    ...(process.env.LABBOOK_INTEGRATION_GREP ? { grep: process.env.LABBOOK_INTEGRATION_GREP } : {}),
  });
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration tests failed`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
