/**
 * SQL LIKE as MLflow's searches use it: `%` is any run of characters, `_` exactly one, everything
 * else literal. Matched by the greedy two-pointer walk (at most text × pattern steps), not by a
 * regular expression, whose backtracking a pattern like `%a%a%a%a%a%b` makes take minutes.
 */
export function likeMatches(text: string, pattern: string, ignoreCase: boolean): boolean {
  const t = [...text];
  const p = [...pattern];
  const same = (a: string, b: string): boolean => a === b || (ignoreCase && (a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase()));
  let ti = 0;
  let pi = 0;
  // The last `%` seen, and the text position its run currently ends at.
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const pc = p[pi];
    if (pc !== undefined && pc !== '%' && (pc === '_' || same(pc, t[ti] as string))) {
      ti++;
      pi++;
    } else if (pc === '%') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      // Let the last `%` take one more character and retry what follows it.
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '%') pi++;
  return pi === p.length;
}
