// Where a run got its params, in the code: argparse `add_argument(...)` calls in a script, the
// `name = value` lines of a notebook's parameters cell, and the keys of a YAML/JSON config file a
// launch passed. Pure: text in, sites out (offsets in UTF-16 code units, as JavaScript strings and
// VS Code's `positionAt` count), so the hover and Node tests share it.
import { parseDocument, isMap, isPair, isScalar, type Node as YamlNode } from 'yaml';
import { fitParams } from '../launch/configParams.ts';
import { plainString, type PythonParser, type SyntaxNode } from '../pipeline/pythonParser.ts';

/** What kind of text the sites are read from. */
export type ParamDocumentKind = 'python' | 'notebookParameters' | 'yaml' | 'json';

export interface ParamSite {
  /**
   * The param keys a run may have logged this one under, likeliest first: for argparse the dest
   * (`learning_rate`), then each option as typed without its dashes (`learning-rate`, Labbook's
   * launch records the command line that way); for a config key its dotted path (`optimizer.lr`).
   */
  readonly names: readonly string[];
  /** Where hovering shows it: the whole `add_argument(...)` call, the assignment, or the key. */
  readonly start: number;
  readonly end: number;
  readonly source: 'argparse' | 'notebook' | 'config';
  /** The default as written (`default=` of argparse, the value of a parameters-cell line). */
  readonly defaultText?: string;
}

/** The sites of a document; a text that does not parse gives what could be read (a YAML/JSON error: none). */
export function paramSites(text: string, kind: ParamDocumentKind, python?: PythonParser): ParamSite[] {
  if (kind === 'yaml' || kind === 'json') return configKeySites(text);
  if (!python) throw new Error('paramSites needs the Python parser for Python text');
  const tree = python.parse(text);
  try {
    return kind === 'python' ? argparseSites(tree.rootNode) : parametersCellSites(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** The site under `offset` (the innermost, when a site lies inside another). */
export function siteAt(sites: readonly ParamSite[], offset: number): ParamSite | undefined {
  let found: ParamSite | undefined;
  for (const site of sites) {
    if (offset < site.start || offset > site.end) continue;
    if (!found || site.end - site.start < found.end - found.start) found = site;
  }
  return found;
}

// ---- argparse ----

const MAX_NODES = 200_000;

function argparseSites(root: SyntaxNode): ParamSite[] {
  const sites: ParamSite[] = [];
  // Iterative walk with a budget: a huge generated file cannot hang the hover.
  const stack: SyntaxNode[] = [root];
  for (let seen = 0; stack.length > 0 && seen < MAX_NODES; seen++) {
    const node = stack.pop();
    if (!node) break;
    if (node.type === 'call') {
      const site = addArgumentSite(node);
      if (site) sites.push(site);
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
  return sites.sort((a, b) => a.start - b.start);
}

/** `<anything>.add_argument("--lr", "-l", dest=…, default=…)`: its names, or undefined. */
function addArgumentSite(call: SyntaxNode): ParamSite | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'add_argument') return undefined;
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  const options: string[] = [];
  let dest: string | undefined;
  let defaultText: string | undefined;
  for (const arg of args.namedChildren) {
    if (!arg) continue;
    if (arg.type === 'string') {
      const text = plainString(arg);
      if (text !== undefined) options.push(text);
    } else if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name === 'dest' && value?.type === 'string') dest = plainString(value);
      if (name === 'default' && value) defaultText = value.text;
    }
  }
  if (options.length === 0) return undefined;
  const names = [dest ?? argparseDest(options), ...options.map((o) => o.replace(/^-+/, ''))].filter((n) => n !== '');
  return { names: [...new Set(names)], start: call.startIndex, end: call.endIndex, source: 'argparse', ...(defaultText !== undefined ? { defaultText } : {}) };
}

/** argparse's own rule: the first long option, else the first short one, dashes stripped, '-' → '_'; a positional is its name. */
function argparseDest(options: readonly string[]): string {
  const long = options.find((o) => o.startsWith('--'));
  const chosen = long ?? options[0] ?? '';
  return chosen.replace(/^-+/, '').replace(/-/g, '_');
}

// ---- the notebook's parameters cell ----

/** Top-level `name = value` and `name: type = value` lines (papermill's parameters cell). */
function parametersCellSites(root: SyntaxNode): ParamSite[] {
  const sites: ParamSite[] = [];
  for (const statement of root.namedChildren) {
    if (statement?.type !== 'expression_statement') continue;
    const assignment = statement.namedChild(0);
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) continue;
    sites.push({ names: [left.text], start: statement.startIndex, end: statement.endIndex, source: 'notebook', defaultText: right.text });
  }
  return sites;
}

// ---- YAML / JSON config keys ----

const MAX_DEPTH = 50;

/**
 * Every key of the config, named as configParams.ts flattens it: nested mappings give dotted
 * paths, a list or an empty mapping is one param at its key. JSON is read as YAML (a subset).
 */
function configKeySites(text: string): ParamSite[] {
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false });
  } catch {
    return [];
  }
  if (doc.errors.length > 0) return [];
  const sites: ParamSite[] = [];
  const walk = (node: YamlNode | null | undefined, prefix: string, depth: number): void => {
    if (!isMap(node) || depth > MAX_DEPTH) return;
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) continue;
      const key = String(pair.key.value);
      const name = prefix ? `${prefix}.${key}` : key;
      const value = pair.value as YamlNode | null;
      if (isMap(value) && value.items.length > 0) {
        walk(value, name, depth + 1);
        continue;
      }
      // The key as the launch logged it (fitParams changes characters MLflow refuses).
      const logged = fitParams({ [name]: '' }).params[0]?.key ?? name;
      const [start, end] = pair.key.range;
      sites.push({ names: [...new Set([name, logged])], start, end, source: 'config', ...(value?.range ? { defaultText: text.slice(value.range[0], value.range[1]) } : {}) });
    }
  };
  walk(doc.contents, '', 0);
  return sites;
}
