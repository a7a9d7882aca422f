// Turning a script's command-line arguments into MLflow params, without knowing its parser.
//
// Rules (documented for users in the launch docs):
// - `--lr 0.1`, `--lr=0.1`, `-n 5`, `-n=5` → lr=0.1, n=5. Keys are what the user typed minus the
//   leading dashes (`--learning-rate` stays `learning-rate`).
// - An option takes at most one value: the next token, unless that token is itself an option.
//   Negative numbers (`--offset -3`) are values. Further tokens are positionals.
// - A bare `--flag` (followed by an option, or last) → flag=true; a bare `--no-flag` → flag=false.
// - A repeated key keeps every value, joined with ',' in order (`--tag a --tag b` → tag=a,b).
// - Positionals become arg.0, arg.1, …; everything after `--` is positional.
// - Any value or positional ending in .yaml, .yml, .json or .toml is also listed in
//   `configFiles` (read and flattened by readConfigParams; TOML is listed but not read).

import { LaunchError } from './errors.ts';

export interface ParsedArgs {
  readonly params: Record<string, string>;
  readonly configFiles: string[];
}

const CONFIG_FILE = /\.(ya?ml|json|toml)$/i;
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

function isOption(token: string): boolean {
  return token.startsWith('-') && token !== '-' && !NEGATIVE_NUMBER.test(token);
}

export function parseArgs(args: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  const configFiles: string[] = [];
  const add = (key: string, value: string): void => {
    const list = values.get(key) ?? [];
    list.push(value);
    values.set(key, list);
  };
  const noteConfig = (value: string): void => {
    if (CONFIG_FILE.test(value) && !configFiles.includes(value)) configFiles.push(value);
  };
  let i = 0;
  // Each pass consumes one or two tokens, so the loop ends.
  while (i < args.length) {
    const token = args[i] ?? '';
    i++;
    if (token === '--') {
      for (; i < args.length; i++) {
        positionals.push(args[i] ?? '');
        noteConfig(args[i] ?? '');
      }
      break;
    }
    if (!isOption(token)) {
      positionals.push(token);
      noteConfig(token);
      continue;
    }
    const body = token.replace(/^-{1,2}/, '');
    const eq = body.indexOf('=');
    if (eq > 0) {
      const value = body.slice(eq + 1);
      add(body.slice(0, eq), value);
      noteConfig(value);
      continue;
    }
    if (body === '') continue;
    const next = args[i];
    if (next !== undefined && !isOption(next) && next !== '--') {
      add(body, next);
      noteConfig(next);
      i++;
    } else if (body.startsWith('no-') && body.length > 3) {
      add(body.slice(3), 'false');
    } else {
      add(body, 'true');
    }
  }
  const params: Record<string, string> = {};
  for (const [key, list] of values) params[key] = list.join(',');
  positionals.forEach((value, index) => (params[`arg.${index}`] = value));
  return { params, configFiles };
}

/**
 * Splits a command line typed in the UI into arguments the way a POSIX shell does for quotes:
 * 'single quotes' are literal, "double quotes" allow \" \\ \$ \` escapes, a backslash outside
 * quotes escapes the next character. No variables, globs or operators.
 */
export function splitCommandLine(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text.charAt(i + 1))) current += text.charAt(++i);
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inToken = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += text.charAt(++i);
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) out.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) throw new LaunchError('INVALID_OPTIONS', `Unclosed ${quote === '"' ? 'double' : 'single'} quote in the arguments.`);
  if (inToken) out.push(current);
  return out;
}
