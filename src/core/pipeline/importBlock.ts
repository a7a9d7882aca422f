// Import blocks laid out the way ruff's isort rule (I001) expects with default settings: sections
// (future, standard library, third party, first party, relative) a blank line apart; `import x`
// lines before `from x import y` lines; modules case-insensitively sorted; members ordered
// constants, classes, then the rest; lines past 88 characters wrapped one member per line.
import { STDLIB_MODULES } from './pythonNames.ts';

export interface ImportEntry {
  /** Dotted module, with leading dots when relative (`._shared`). */
  module: string;
  /** For `from module import name`; absent for `import module`. */
  name?: string;
  alias?: string;
}

const LINE_LENGTH = 88;

function section(module: string, firstParty: ReadonlySet<string>): number {
  if (module.startsWith('.')) return 4;
  const root = module.split('.')[0] ?? module;
  if (root === '__future__') return 0;
  if (STDLIB_MODULES.has(root)) return 1;
  if (firstParty.has(root)) return 3;
  return 2;
}

function memberKey(name: string): string {
  const type = name.length > 1 && name === name.toUpperCase() && /[A-Z]/.test(name) ? 'A' : /^[A-Z]/.test(name) ? 'B' : 'C';
  return `${type}${name.toLowerCase()}\0${name}`;
}

function moduleKey(module: string): string {
  return `${module.toLowerCase()}\0${module}`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Renders the entries (duplicates merged) as one sorted import block. */
export function renderImportBlock(entries: Iterable<ImportEntry>, firstParty: ReadonlySet<string> = new Set()): string {
  const sections = new Map<number, { straight: Set<string>; from: Map<string, { plain: Set<string>; aliased: Set<string> }> }>();
  for (const entry of entries) {
    const key = section(entry.module, firstParty);
    let s = sections.get(key);
    if (!s) {
      s = { straight: new Set(), from: new Map() };
      sections.set(key, s);
    }
    if (entry.name === undefined) {
      s.straight.add(entry.alias && entry.alias !== entry.module ? `${entry.module} as ${entry.alias}` : entry.module);
      continue;
    }
    let members = s.from.get(entry.module);
    if (!members) {
      members = { plain: new Set(), aliased: new Set() };
      s.from.set(entry.module, members);
    }
    if (entry.alias && entry.alias !== entry.name) members.aliased.add(`${entry.name} as ${entry.alias}`);
    else members.plain.add(entry.name);
  }
  const blocks: string[] = [];
  for (const key of [...sections.keys()].sort((a, b) => a - b)) {
    const s = sections.get(key);
    if (!s) continue;
    const lines = [...s.straight].sort((a, b) => compare(moduleKey(a), moduleKey(b))).map((m) => `import ${m}`);
    const modules = [...s.from.keys()].sort((a, b) => compare(moduleKey(a), moduleKey(b)));
    for (const module of modules) {
      const members = s.from.get(module);
      if (!members) continue;
      const sortMembers = (names: Iterable<string>) => [...names].sort((a, b) => compare(memberKey(a), memberKey(b)));
      if (members.plain.size) lines.push(fromLine(module, sortMembers(members.plain)));
      for (const aliased of sortMembers(members.aliased)) lines.push(fromLine(module, [aliased]));
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}

function fromLine(module: string, members: string[]): string {
  const line = `from ${module} import ${members.join(', ')}`;
  if (line.length <= LINE_LENGTH || members.length === 1) return line;
  return `from ${module} import (\n${members.map((m) => `    ${m},\n`).join('')})`;
}
