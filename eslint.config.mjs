// Lint rules, including the layer boundaries the compiler also enforces:
//   core ← protocol ← host, and webview imports only protocol.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'src/core and src/protocol are pure: move VS Code code to src/host.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-output/**', '.vscode-test/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[property.name='innerHTML']", message: 'Render values as text (textContent), never as HTML.' }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**'],
    languageOptions: { globals: { ...globals.mocha } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/host/**', '**/webview/**'], message: 'src/core imports nothing from host or webview.' }],
      }],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      // Protocol may name core's plain-JSON types (erased at build), never import its code.
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [
          { group: ['**/host/**', '**/webview/**', 'node:*'], message: 'src/protocol is plain JSON types shared with webviews: no host, webview or Node imports.' },
          { group: ['**/core/**'], allowTypeImports: true, message: 'src/protocol may use only types from src/core (import type).' },
        ],
      }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Webviews talk to the host through src/protocol messages.' }],
        patterns: [{ group: ['**/src/core/**', '**/src/host/**', 'node:*'], message: 'Webviews import only src/protocol.' }],
      }],
    },
  },
);
