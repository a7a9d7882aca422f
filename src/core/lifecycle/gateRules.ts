// The rules of a promotion gate, as text a CI step or a user writes:
//   metrics.<key> <op> <number>                     metrics.rmse <= 0.5
//   metrics.<key> <op> champion [*|+|- <number>]    metrics.rmse <= champion * 1.02
//   metrics.<key> <op> <number> * champion          metrics.accuracy >= 0.99*champion
//   params.<key> = <value>, tags.<key> != <value>   params.model_type = ridge
//   smoke passed                                    the candidate passed its smoke tests
//   data not stale                                  nothing upstream of the candidate changed since
// <op> is one of < <= > >= = != (== ≤ ≥ ≠ are read too). "champion" is the same metric on the
// version the gate compares against (the holder of an alias such as @champion, or a version).

export class GateRuleError extends Error {
  override readonly name = 'GateRuleError';
}

export type GateOp = '<' | '<=' | '>' | '>=' | '=' | '!=';

/** A metric rule's right side: a number, or the champion's value × scale + offset. */
export type MetricTarget = { readonly kind: 'number'; readonly value: number } | { readonly kind: 'champion'; readonly scale: number; readonly offset: number };

export type GateRule = { readonly text: string } & (
  | { readonly kind: 'metric'; readonly key: string; readonly op: GateOp; readonly target: MetricTarget }
  | { readonly kind: 'field'; readonly field: 'params' | 'tags'; readonly key: string; readonly op: '=' | '!='; readonly value: string }
  | { readonly kind: 'smokePassed' }
  | { readonly kind: 'dataNotStale' }
);

const OPS: Readonly<Record<string, GateOp>> = { '<': '<', '<=': '<=', '≤': '<=', '>': '>', '>=': '>=', '≥': '>=', '=': '=', '==': '=', '!=': '!=', '≠': '!=' };
const KEY = String.raw`[A-Za-z0-9_\-./:]+`;
const OP = String.raw`<=|>=|==|!=|<|>|=|≤|≥|≠`;
const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const SUBJECT = new RegExp(String.raw`^(metrics|params|tags)\.(${KEY})\s*(${OP})\s*(.*)$`);
const NUMBER_ONLY = new RegExp(`^${NUMBER}$`);
const CHAMPION_FIRST = new RegExp(String.raw`^champion(?:\s*([*+\-])\s*(${NUMBER}))?$`, 'i');
const CHAMPION_LAST = new RegExp(String.raw`^(${NUMBER})\s*\*\s*champion$`, 'i');

export const RULE_FORMS = 'metrics.<key> <op> <number>, metrics.<key> <op> champion [* + - <number>], metrics.<key> <op> <number>*champion, params.<key> = <value>, tags.<key> = <value>, smoke passed, data not stale';

export function parseGateRule(text: string): GateRule {
  const rule = text.trim().replace(/\s+/g, ' ');
  const fail = (what: string): never => {
    throw new GateRuleError(`Gate rule "${text}": ${what}.`);
  };
  if (rule === '') fail('the rule is empty');
  const lower = rule.toLowerCase();
  if (lower === 'smoke passed' || lower === 'smoke tests passed') return { text: rule, kind: 'smokePassed' };
  if (lower === 'data not stale' || lower === 'training data not stale') return { text: rule, kind: 'dataNotStale' };
  const m = SUBJECT.exec(rule);
  if (!m) {
    if (/^(metrics|params|tags)\.\S/.test(rule)) fail('expected <op> (one of < <= > >= = !=) after the key, and a value after it');
    return fail(`not a rule this gate knows; rules take these forms: ${RULE_FORMS}`);
  }
  const [, subject = '', key = '', opText = '', rest = ''] = m;
  const op = OPS[opText] as GateOp;
  const right = rest.trim();
  if (right === '') fail(`nothing after '${opText}'`);
  if (subject !== 'metrics') {
    if (op !== '=' && op !== '!=') fail(`${subject} are compared as text: use = or !=, not ${opText}`);
    return { text: rule, kind: 'field', field: subject as 'params' | 'tags', key, op: op as '=' | '!=', value: unquote(right) };
  }
  if (NUMBER_ONLY.test(right)) return { text: rule, kind: 'metric', key, op, target: { kind: 'number', value: finite(Number(right), fail) } };
  const first = CHAMPION_FIRST.exec(right);
  if (first) {
    const [, sign, n] = first;
    const value = n === undefined ? 0 : finite(Number(n), fail);
    const target: MetricTarget = sign === '*' ? { kind: 'champion', scale: value, offset: 0 } : { kind: 'champion', scale: 1, offset: sign === '-' ? -value : value };
    return { text: rule, kind: 'metric', key, op, target };
  }
  const last = CHAMPION_LAST.exec(right);
  if (last) return { text: rule, kind: 'metric', key, op, target: { kind: 'champion', scale: finite(Number(last[1]), fail), offset: 0 } };
  if (/champion/i.test(right)) return fail(`'${right}' is not champion, champion * N, champion + N, champion - N or N * champion`);
  return fail(`'${right}' is not a number or a form of champion`);
}

/** Whether any of the rules compares with the champion (and so needs a version to compare against). */
export function needsChampion(rules: readonly GateRule[]): boolean {
  return rules.some((r) => r.kind === 'metric' && r.target.kind === 'champion');
}

export function compare(left: number, op: GateOp, right: number): boolean {
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '=':
      return left === right;
    case '!=':
      return left !== right;
  }
}

/** How an operator reads in a check's detail. */
export function opSymbol(op: GateOp): string {
  return { '<': '<', '<=': '≤', '>': '>', '>=': '≥', '=': '=', '!=': '≠' }[op];
}

function finite(n: number, fail: (what: string) => never): number {
  return Number.isFinite(n) ? n : fail(`${n} is not a finite number`);
}

function unquote(value: string): string {
  const m = /^(["'])(.*)\1$/.exec(value);
  return m ? (m[2] ?? '') : value;
}
