// Exclusion globs for observed data paths (`labbook.launch.observeExclude`), matched against the
// path relative to the working directory ('/'-separated) and against the absolute path: `*` and
// `?` stay inside one path segment, `**` crosses segments, `{a,b}` is either, a pattern without '/' matches a name in
// any folder (as in .gitignore), and a pattern that matches a folder excludes everything under it.

/**
 * A '/'-separated glob as regular-expression source (unanchored): `*` and `?` inside one segment,
 * `**` (and `**\/`) across segments, `{a,b}` alternatives; everything else literal. The data
 * checks' dataset paths use it too.
 */
export function globSource(glob: string, alternatives = true): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob.charAt(i);
    if (ch === '*' && glob.charAt(i + 1) === '*') {
      const slash = glob.charAt(i + 2) === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '{' && alternatives) {
      braces++;
      out += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (ch === ',' && braces > 0) out += '|';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // Unbalanced braces (`tmp{`, `a{b{c}`) are literal text, as before alternatives were read.
  return braces === 0 ? out : globSource(glob, false);
}

export function globToRegExp(pattern: string): RegExp {
  let glob = pattern.trim().replace(/\\/g, '/');
  if (glob.endsWith('/')) glob = glob.slice(0, -1);
  const anywhere = !glob.includes('/');
  if (glob.startsWith('./')) glob = glob.slice(2);
  const out = globSource(glob);
  return new RegExp(`^${anywhere ? '(?:.*/)?' : ''}${out}(?:/.*)?$`);
}

/** A predicate over (relative, absolute) paths: true when any pattern matches either. */
export function pathExcluder(patterns: readonly string[]): (relative: string, absolute: string) => boolean {
  const res = patterns.filter((p) => p.trim() !== '').map(globToRegExp);
  return (relative, absolute) => res.some((re) => re.test(relative) || re.test(absolute));
}
