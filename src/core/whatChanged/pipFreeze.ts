// `pip freeze` as packages, and the difference of two: added, removed, upgraded, downgraded.
// Versions are ordered by their numeric release segments, then pre-release < final < post-release
// (PEP 440 in the cases freeze writes); `pkg @ file://…`, `-e …` and unreadable lines are text.
import type { PackageChange } from './types.ts';

export interface FrozenPackage {
  /** Normalised (PEP 503): lower case, runs of `-`, `_`, `.` as one `-`. */
  readonly name: string;
  /** The pinned version, or null for a requirement given as text. */
  readonly version: string | null;
  /** The line as written (a direct reference, an editable install, or a line not read as a pin). */
  readonly text: string;
}

export interface FrozenPackages {
  readonly packages: ReadonlyMap<string, FrozenPackage>;
  /** Lines that name no package: kept by their text, counted here. */
  readonly unreadLines: number;
}

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

const PIN = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(===|==|~=|>=|<=|!=|>|<)\s*([^\s;#]+)/;
const DIRECT = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*(\S.*)$/;
const EGG = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/;

/** One freeze line; blank lines, comments and pip options other than `-e` give null. */
export function parseFreezeLine(raw: string): FrozenPackage | null {
  const line = raw.replace(/\s+#.*$/, '').trim();
  if (line === '' || line.startsWith('#')) return null;
  if (line.startsWith('-e ') || line.startsWith('--editable')) {
    const egg = EGG.exec(line)?.[1];
    return { name: egg ? normalizeName(egg) : line, version: null, text: line };
  }
  if (line.startsWith('-')) return null;
  const pin = PIN.exec(line);
  if (pin) return { name: normalizeName(pin[1] as string), version: pin[3] as string, text: line };
  const direct = DIRECT.exec(line);
  if (direct) return { name: normalizeName(direct[1] as string), version: null, text: line };
  return { name: line, version: null, text: line };
}

export function parseFreeze(text: string): FrozenPackages {
  const packages = new Map<string, FrozenPackage>();
  let unreadLines = 0;
  for (const raw of text.split(/\r?\n/)) {
    const pkg = parseFreezeLine(raw);
    if (!pkg) continue;
    if (pkg.version === null && pkg.name === pkg.text) unreadLines++;
    packages.set(pkg.name, pkg);
  }
  return { packages, unreadLines };
}

interface ParsedVersion {
  readonly release: readonly number[];
  /** -3 dev, -2 alpha, -1 beta, -0.5 rc, 0 final, 1 post; then its number. */
  readonly phase: number;
  readonly phaseNumber: number;
}

function parseVersion(text: string): ParsedVersion | null {
  const m = /^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview|post|rev|r|dev)[-_.]?(\d*))?(?:\+.*)?$/i.exec(text.trim());
  if (!m) return null;
  const release = (m[1] as string).split('.').map(Number);
  const tag = (m[2] ?? '').toLowerCase();
  const phases: Record<string, number> = { dev: -3, a: -2, alpha: -2, b: -1, beta: -1, c: -0.5, rc: -0.5, pre: -0.5, preview: -0.5, post: 1, rev: 1, r: 1, '': 0 };
  return { release, phase: phases[tag] ?? 0, phaseNumber: Number(m[3] || 0) };
}

/** Negative when a < b, positive when a > b, 0 when equal; null when either does not read as a version. */
export function compareVersions(a: string, b: string): number | null {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return null;
  const length = Math.max(x.release.length, y.release.length);
  for (let i = 0; i < length; i++) {
    const d = (x.release[i] ?? 0) - (y.release[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.phase !== y.phase ? x.phase - y.phase : x.phaseNumber - y.phaseNumber;
}

/** The packages that differ, sorted by name. */
export function diffFreeze(base: FrozenPackages, remote: FrozenPackages): PackageChange[] {
  const names = [...new Set([...base.packages.keys(), ...remote.packages.keys()])].sort();
  const out: PackageChange[] = [];
  for (const name of names) {
    const a = base.packages.get(name);
    const b = remote.packages.get(name);
    const shown = (p: FrozenPackage | undefined) => (p ? (p.version ?? p.text) : null);
    if (!a) out.push({ name, base: null, remote: shown(b), change: 'added' });
    else if (!b) out.push({ name, base: shown(a), remote: null, change: 'removed' });
    else if (a.text !== b.text) {
      const order = a.version !== null && b.version !== null ? compareVersions(a.version, b.version) : null;
      const change = order === null || order === 0 ? 'changed' : order < 0 ? 'upgraded' : 'downgraded';
      out.push({ name, base: shown(a), remote: shown(b), change });
    }
  }
  return out;
}
