// @vscode/test-cli configuration, for machines that can download desktop VS Code:
//   npx vscode-test   (after `npm run build`)
// The same suite runs inside code-server's extension host in `npm test`.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/integration/*.test.js',
  version: 'stable',
  workspaceFolder: './demo/workspace',
  mocha: { ui: 'bdd', timeout: 30000 },
});
