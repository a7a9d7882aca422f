// Python literals ⇄ JSON values, for the parameters cell: `n_rows = 1_000` becomes `n_rows: 1000`
// in params.yaml, written so that PyYAML reads back the same Python type (a float stays a float).
import type { JsonValue } from '../notebook/notebookModel.ts';
import type { SyntaxNode } from './pythonParser.ts';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** The JSON value of a Python literal (numbers, strings, booleans, None, lists/tuples/dicts of them), or undefined. */
export function pythonLiteral(node: SyntaxNode, depth = 0): JsonValue | undefined {
  if (depth > 20) return undefined;
  switch (node.type) {
    case 'integer': {
      const text = node.text.replace(/_/g, '').toLowerCase();
      const value = /^0[xob]/.test(text) ? Number(text) : Number.parseInt(text, 10);
      return Number.isSafeInteger(value) ? value : undefined;
    }
    case 'float': {
      if (/[jJ]$/.test(node.text)) return undefined; // complex
      const value = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(value) ? value : undefined;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'unary_operator': {
      const argument = node.childForFieldName('argument');
      const operator = node.child(0)?.text;
      const value = argument ? pythonLiteral(argument, depth + 1) : undefined;
      if (typeof value !== 'number' || (operator !== '-' && operator !== '+')) return undefined;
      return operator === '-' ? -value : value;
    }
    case 'string':
      return stringLiteral(node);
    case 'concatenated_string': {
      const parts = node.namedChildren.map((c) => (c ? stringLiteral(c) : undefined));
      return parts.every((p) => typeof p === 'string') ? parts.join('') : undefined;
    }
    case 'list':
    case 'tuple': {
      const items: JsonValue[] = [];
      for (const child of node.namedChildren) {
        const value = child ? pythonLiteral(child, depth + 1) : undefined;
        if (value === undefined) return undefined;
        items.push(value);
      }
      return items;
    }
    case 'dictionary': {
      const result: Record<string, JsonValue> = {};
      for (const pair of node.namedChildren) {
        if (pair?.type !== 'pair') return undefined;
        const key = pair.childForFieldName('key');
        const value = pair.childForFieldName('value');
        const k = key ? pythonLiteral(key, depth + 1) : undefined;
        const v = value ? pythonLiteral(value, depth + 1) : undefined;
        if (typeof k !== 'string' || v === undefined) return undefined;
        result[k] = v;
      }
      return result;
    }
    case 'parenthesized_expression': {
      const inner = node.namedChild(0);
      return inner ? pythonLiteral(inner, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

function stringLiteral(node: SyntaxNode): string | undefined {
  if (node.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  const prefix = start.replace(/['"]/g, '').toLowerCase();
  if (/[fbt]/.test(prefix)) return undefined; // f-strings compute, bytes are not text
  const raw = prefix.includes('r');
  let text = '';
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'interpolation') return undefined;
    if (child.type !== 'string_content') continue;
    if (raw) {
      text += child.text;
      continue;
    }
    // Escapes sit inside string_content; only the simple ones are decoded, anything else is not a plain literal.
    let unknown = false;
    text += child.text.replace(/\\([\s\S])/g, (_match, c: string) => {
      const escaped = SIMPLE_ESCAPES[c];
      if (escaped === undefined) unknown = true;
      return escaped ?? '';
    });
    if (unknown) return undefined;
  }
  return text;
}

/** A float as PyYAML reads it back as a float (it needs a dot, and a signed exponent). */
export function yamlFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  const text = String(value);
  const [mantissa = text, exponent] = text.split('e');
  const withDot = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  if (exponent === undefined) return withDot;
  return `${withDot}e${exponent.startsWith('-') || exponent.startsWith('+') ? exponent : `+${exponent}`}`;
}

/** True when the Python literal text is a float (so `1.0` keeps its type through YAML). */
export function isFloatLiteral(literal: string): boolean {
  const text = literal.trim().replace(/^[-+]\s*/, '');
  return /^[\d_]*\.[\d_]*([eE][-+]?\d+)?$|^[\d_]+[eE][-+]?\d+$/.test(text);
}

/** A JSON value as Python source. */
export function pythonValue(value: JsonValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonValue).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonValue(v)}`).join(', ')}}`;
}
