// Lint rules, including the layer boundaries the compiler also enforces:
//   core ← protocol ← host, and webview imports only protocol; src/shared (pure helpers that
//   import nothing) sits under all of them.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'src/core and src/protocol are pure: move VS Code code to src/host.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-output/**', '.vscode-test/**', '**/*.d.ts'] },
  js.configs.recommended,
  // Type-aware rules (floating or misused promises, awaits of non-promises, async without await,
  // unsafe `any`): each .ts file is checked with the tsconfig.*.json project that includes it.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // types/noVscodeInCore.ts is reached only through a `paths` mapping, never an include.
        projectService: { allowDefaultProject: ['types/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An AbortSignal's reason (typed any) is passed on as it is, as Node's own timers do.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true }],
    },
  },
  // Build and test scripts (.mjs, .cjs) are plain JavaScript in no tsconfig: no type information.
  { files: ['**/*.mjs', '**/*.cjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // No import cycles (value imports; `import type` is erased at build and cannot form one).
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mjs', '.cjs', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.mjs', '.cjs', '.js'],
    },
    rules: { 'import-x/no-cycle': 'error' },
  },
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
        patterns: [{ group: ['**/src/core/**', '**/src/host/**', 'node:*'], message: 'Webviews import only src/protocol (and the pure helpers in src/shared).' }],
      }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/core/**', '**/protocol/**', '**/host/**', '**/cli/**', '**/webview/**', 'node:*'], message: 'src/shared is imported by every layer, so it imports nothing.' }],
      }],
    },
  },
);
