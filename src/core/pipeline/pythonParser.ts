// Python parsing with tree-sitter compiled to WebAssembly: no native addon, so the same code runs in
// the extension host, the CLI bundle and tests. The runtime and grammar load once, lazily; where the
// two .wasm files live is a parameter because the extension bundle ships them under dist/.
import { createRequire } from 'node:module';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { errorMessage } from '../../shared/errorMessage.ts';

export type { Node as SyntaxNode, Tree as SyntaxTree };

export interface PythonWasmPaths {
  /** web-tree-sitter's runtime (web-tree-sitter.wasm). */
  treeSitterWasm: string;
  /** The Python grammar (tree-sitter-python.wasm). */
  pythonWasm: string;
}

export interface PythonParser {
  /** Parses Python source; the tree lives until `delete()` is called on it (or is garbage collected). */
  parse(source: string): Tree;
}

/** The .wasm files as npm installed them (tests, the CLI run from source). */
export function defaultWasmPaths(): PythonWasmPaths {
  const require = createRequire(import.meta.url);
  return {
    treeSitterWasm: require.resolve('web-tree-sitter/web-tree-sitter.wasm'),
    pythonWasm: require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
  };
}

let loading: { key: string; parser: Promise<PythonParser> } | undefined;

/**
 * The Python parser, initialised on first call. Later calls return the same parser; the runtime
 * can be initialised only once per process, so asking for other paths afterwards is an error.
 */
export function initPythonParser(paths: PythonWasmPaths = defaultWasmPaths()): Promise<PythonParser> {
  const key = `${paths.treeSitterWasm}\n${paths.pythonWasm}`;
  if (loading) {
    if (loading.key !== key) return Promise.reject(new Error(`The Python parser is already loaded from ${loading.key.replace('\n', ' and ')}.`));
    return loading.parser;
  }
  const parser = load(paths);
  loading = { key, parser };
  // A failed load may be retried (say, after the user fixed a path).
  parser.catch(() => {
    if (loading?.parser === parser) loading = undefined;
  });
  return parser;
}

async function load(paths: PythonWasmPaths): Promise<PythonParser> {
  try {
    await Parser.init({ locateFile: () => paths.treeSitterWasm });
    const language = await Language.load(paths.pythonWasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return {
      parse(source: string): Tree {
        const tree = parser.parse(source);
        if (!tree) throw new Error('tree-sitter returned no tree for a Python source');
        return tree;
      },
    };
  } catch (err) {
    throw new Error(`Cannot load the Python parser (${paths.treeSitterWasm}, ${paths.pythonWasm}): ${errorMessage(err)}`, { cause: err });
  }
}

/** A string literal's text when it is plain: no f- or b-prefix, no interpolation, no escapes (names, options, references). */
export function plainString(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  if (/[fb]/i.test(start)) return undefined;
  const parts = node.namedChildren.filter((c) => c?.type === 'string_content' || c?.type === 'interpolation' || c?.type === 'escape_sequence');
  if (parts.some((c) => c?.type !== 'string_content')) return undefined;
  return parts.map((c) => c?.text ?? '').join('');
}
