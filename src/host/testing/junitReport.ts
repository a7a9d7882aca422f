// pytest's --junitxml report, read without VS Code: each <testcase> with its outcome and failure
// text, grouped per test function (a parametrized test is several cases), and the line of the test
// file a failure's traceback points at.
export type CaseOutcome = 'passed' | 'failed' | 'errored' | 'skipped';

export interface JunitCase {
  /** `tests.test_smoke` or `tests.test_smoke.TestClass`; empty for a collection error. */
  readonly classname: string;
  /** `test_x`, `test_x[param]`; the module for a collection error. */
  readonly name: string;
  readonly timeSeconds: number;
  readonly outcome: CaseOutcome;
  /** The failure's one-line message (the `message` attribute). */
  readonly message: string;
  /** The failure's long text (pytest's traceback). */
  readonly text: string;
}

export interface FunctionResult {
  readonly outcome: CaseOutcome;
  readonly durationMs: number;
  /** The failed cases, each `name: message` with its traceback. */
  readonly failures: readonly JunitCase[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, cdata: string) => cdata)
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, entity: string) => {
      if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
      if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
      return ENTITIES[entity.toLowerCase()] ?? m;
    });
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) found.set(match[1] ?? '', decode(match[3] ?? match[4] ?? ''));
  return found;
}

/** The test cases of a pytest JUnit XML report (pytest's own output: no DTD, no namespaces). */
export function parseJunitXml(xml: string): JunitCase[] {
  const cases: JunitCase[] = [];
  for (const match of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = attributes(match[1] ?? '');
    const body = match[3] ?? '';
    let outcome: CaseOutcome = 'passed';
    let message = '';
    let text = '';
    // A test that failed and then errored in teardown has both: the failure counts.
    for (const kind of ['skipped', 'error', 'failure'] as const) {
      const element = new RegExp(`<${kind}\\b([^>]*?)(/>|>([\\s\\S]*?)</${kind}>)`).exec(body);
      if (!element) continue;
      outcome = kind === 'failure' ? 'failed' : kind === 'error' ? 'errored' : 'skipped';
      message = attributes(element[1] ?? '').get('message') ?? '';
      text = decode(element[3] ?? '');
    }
    const time = Number(attrs.get('time'));
    cases.push({ classname: attrs.get('classname') ?? '', name: attrs.get('name') ?? '', timeSeconds: Number.isFinite(time) ? time : 0, outcome, message, text });
  }
  return cases;
}

/** The pytest id (`test_x` or `TestClass::test_x`) of a case, given the test module's name (`test_smoke`). */
export function functionIdOf(junitCase: JunitCase, moduleName: string): string | undefined {
  if (!junitCase.classname) return undefined;
  const name = junitCase.name.replace(/\[[\s\S]*\]$/, '');
  const parts = junitCase.classname.split('.');
  const last = parts[parts.length - 1] ?? '';
  return last === moduleName ? name : `${last}::${name}`;
}

/** Cases grouped by test function: failed if any case failed, errored if any errored, skipped if all were skipped. */
export function functionResults(cases: readonly JunitCase[], moduleName: string): Map<string, FunctionResult> {
  const grouped = new Map<string, JunitCase[]>();
  for (const junitCase of cases) {
    const id = functionIdOf(junitCase, moduleName);
    if (id === undefined) continue;
    grouped.set(id, [...(grouped.get(id) ?? []), junitCase]);
  }
  const results = new Map<string, FunctionResult>();
  for (const [id, group] of grouped) {
    const failures = group.filter((c) => c.outcome === 'failed' || c.outcome === 'errored');
    const outcome: CaseOutcome = group.some((c) => c.outcome === 'failed')
      ? 'failed'
      : failures.length
        ? 'errored'
        : group.every((c) => c.outcome === 'skipped')
          ? 'skipped'
          : 'passed';
    results.set(id, { outcome, durationMs: Math.round(group.reduce((sum, c) => sum + c.timeSeconds, 0) * 1000), failures });
  }
  return results;
}

/** Collection errors and other cases that belong to no test function (an import error in the test file). */
export function moduleErrors(cases: readonly JunitCase[], moduleName: string): JunitCase[] {
  return cases.filter((c) => functionIdOf(c, moduleName) === undefined && c.outcome !== 'passed');
}

/** The 1-based line of `fileName` (a base name) that a pytest traceback last points at (`tests/test_smoke.py:47: AssertionError`). */
export function tracebackLineIn(text: string, fileName: string): number | undefined {
  let line: number | undefined;
  for (const match of text.matchAll(/^(.*?):(\d+): /gm)) {
    const file = (match[1] ?? '').trim().split(/[\\/]/).pop();
    if (file === fileName) line = Number(match[2]);
  }
  return line !== undefined && line > 0 ? line : undefined;
}
