// Config files named on the command line, flattened into params, and every param made to fit
// MLflow's limits before it is logged.
//
// Flattening: nested mappings become dotted keys without a prefix (`optimizer: {lr: 0.1}` →
// optimizer.lr=0.1); lists, and empty mappings, become one param holding their JSON
// (`layers: [64, 128]` → layers=[64,128]); null → "null"; a top-level list or scalar is one param
// named after the file. When a CLI arg and a config value share a key, the CLI arg wins (the
// usual "command line overrides the config" rule).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LIMITS } from '../store/validation.ts';
import type { Param } from '../store/types.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';

/** At most this many params from one config file; the rest is noted, not logged. */
export const MAX_CONFIG_PARAMS = 1000;

export function flattenConfig(value: unknown, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      flattenConfig(child, prefix ? `${prefix}.${key}` : key, into);
    }
    return into;
  }
  into[prefix || 'config'] = scalarText(value);
  return into;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return 'null';
  // undefined only for a function or a symbol, which a config file cannot hold anyway
  return JSON.stringify(value) ?? typeof value;
}

/** Reads each YAML/JSON config file (relative to `cwd`) into flattened params; problems become notes. */
export async function readConfigParams(files: readonly string[], cwd: string): Promise<{ params: Record<string, string>; notes: string[] }> {
  const params: Record<string, string> = {};
  const notes: string[] = [];
  for (const file of files) {
    const full = path.resolve(cwd, file);
    if (/\.toml$/i.test(file)) {
      notes.push(`config ${file}: TOML files are recorded but not read into params.`);
      continue;
    }
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (err) {
      notes.push(`config ${file}: not read (${errorFirstLine(err)}).`);
      continue;
    }
    let data: unknown;
    try {
      data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      notes.push(`config ${file}: not parsed (${errorFirstLine(err)}).`);
      continue;
    }
    const flat = flattenConfig(data, data !== null && typeof data === 'object' && !Array.isArray(data) ? '' : path.basename(file));
    const entries = Object.entries(flat);
    if (entries.length > MAX_CONFIG_PARAMS) notes.push(`config ${file}: ${entries.length} values, only the first ${MAX_CONFIG_PARAMS} are logged as params.`);
    for (const [key, value] of entries.slice(0, MAX_CONFIG_PARAMS)) params[key] = value;
  }
  return { params, notes };
}

const BAD_KEY_CHARS = /[^\w\-. /:]/gu;

/**
 * The params as MLflow accepts them: keys with characters MLflow refuses replaced by '_', keys
 * cut to 250 and values to 6000 characters, each change noted.
 */
export function fitParams(params: Readonly<Record<string, string>>): { params: Param[]; notes: string[] } {
  const out = new Map<string, string>();
  const notes: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(params)) {
    let key = rawKey.replace(BAD_KEY_CHARS, '_').replace(/^\/+/, '').split('/').map((p) => (p === '..' ? '__' : p)).join('/');
    if (key === '') key = '_';
    if (key !== rawKey) notes.push(`param '${rawKey}' logged as '${key}' (MLflow does not allow those characters).`);
    if (key.length > LIMITS.keyLength) {
      notes.push(`param key '${key.slice(0, 40)}…' cut to ${LIMITS.keyLength} characters.`);
      key = key.slice(0, LIMITS.keyLength);
    }
    let value = rawValue;
    if (value.length > LIMITS.paramValueLength) {
      notes.push(`param '${key}' value (${value.length} characters) cut to MLflow's limit of ${LIMITS.paramValueLength}.`);
      value = value.slice(0, LIMITS.paramValueLength);
    }
    out.set(key, value);
  }
  return { params: [...out].map(([key, value]) => ({ key, value })), notes };
}

/**
 * The parsed params still to log once the script has run: those the run does not have. MLflow
 * params cannot change, so the script's own values win; a differing parsed value is noted.
 */
export function unloggedParams(parsed: readonly Param[], logged: readonly Param[]): { params: Param[]; notes: string[] } {
  const have = new Map(logged.map((p) => [p.key, p.value]));
  const notes: string[] = [];
  for (const p of parsed) {
    const value = have.get(p.key);
    if (value !== undefined && value !== p.value) notes.push(`param ${p.key}: the script logged '${value}'; the parsed '${p.value}' was not logged.`);
  }
  return { params: parsed.filter((p) => !have.has(p.key)), notes };
}
