/**
 * MLflow's search syntax, parsed by hand so that errors can point at the exact character:
 * `metrics.rmse < 0.8 and params.model = 'rf'` (mlflow.search_runs' filter_string, MLflow's
 * SearchUtils), `metrics.rmse DESC` (order_by) and the experiment-search variants.
 * searchEval.ts evaluates the result.
 */
import { keywordOf, SearchSyntaxError, tokenize } from './searchLexer.ts';
import type { SearchSubject, Segment, Token } from './searchLexer.ts';
import { DATASET_KEYS, EXPERIMENTS, LIST, LOGGED_MODELS, NUMERIC, RUNS, STRING } from './searchSchema.ts';
import type { Comparator, Entity, Schema } from './searchSchema.ts';

export { SearchSyntaxError } from './searchLexer.ts';
export type { Comparator, Entity } from './searchSchema.ts';

export interface Clause {
  readonly entity: Entity;
  /** For attributes, the canonical MLflow name (`created` reads as `start_time`). */
  readonly key: string;
  readonly comparator: Comparator;
  /** A number for numeric comparisons, a string list for IN/NOT IN, null for IS [NOT] NULL. */
  readonly value: number | string | readonly string[] | null;
}

export type RunFilter = readonly Clause[];

export interface OrderBy {
  readonly entity: Entity;
  readonly key: string;
  readonly ascending: boolean;
}

/** Parses a run filter; empty or blank input is no filter. Throws SearchSyntaxError. */
export function parseRunFilter(filter: string | undefined): RunFilter {
  return new Parser(filter ?? '', 'filter', RUNS).filter();
}

/** Parses an experiment filter (`name LIKE 'cls-%' and tags.team = 'vision'`). */
export function parseExperimentFilter(filter: string | undefined): RunFilter {
  return new Parser(filter ?? '', 'filter', EXPERIMENTS).filter();
}

/** Parses a logged-model filter (`metrics.score > 0.5`), MLflow 3's search_logged_models. */
export function parseLoggedModelFilter(filter: string | undefined): RunFilter {
  return new Parser(filter ?? '', 'filter', LOGGED_MODELS).filter();
}

/** Parses one order_by entry of a run search: `metrics.rmse`, `start_time DESC`. */
export function parseOrderBy(clause: string): OrderBy {
  return new Parser(clause, 'order_by clause', RUNS).orderBy();
}

/** Parses one order_by entry of an experiment search: attributes only, as in MLflow. */
export function parseExperimentOrderBy(clause: string): OrderBy {
  return new Parser(clause, 'order_by clause', EXPERIMENTS).orderBy();
}

interface Identifier {
  readonly entity: Entity;
  readonly key: string;
  readonly token: Token;
}

class Parser {
  private readonly input: string;
  private readonly subject: SearchSubject;
  private readonly schema: Schema;
  private readonly tokens: Token[];
  private index = 0;

  constructor(input: string, subject: SearchSubject, schema: Schema) {
    this.input = input;
    this.subject = subject;
    this.schema = schema;
    this.tokens = tokenize(input);
  }

  filter(): RunFilter {
    const clauses: Clause[] = [];
    if (this.peek().kind === 'end') return clauses;
    for (;;) {
      const start = this.peek().start;
      clauses.push(this.clause());
      const after = this.peek();
      if (after.kind === 'end') return clauses;
      const keyword = keywordOf(after);
      if (keyword === 'OR') this.fail(after, 'MLflow search supports only AND between clauses, not OR');
      if (keyword !== 'AND') {
        const clause = this.input.slice(start, this.tokens[this.index - 1]?.end ?? start);
        this.fail(after, `expected AND or the end of the filter after "${clause}", got ${this.describe(after)}`);
      }
      this.index++;
      if (this.peek().kind === 'end') this.fail(this.peek(), `expected a clause after "${after.text}", got the end of the filter`);
    }
  }

  orderBy(): OrderBy {
    if (this.peek().kind === 'end') this.fail(this.peek(), 'expected a column to order by, e.g. metrics.rmse DESC');
    const { entity, key, token } = this.identifier();
    if (!this.schema.orderEntities.has(entity)) {
      const keys = [...this.schema.orderable].join(', ');
      this.fail(token, `cannot order by "${token.text}"; order by one of ${keys}`);
    }
    let ascending = true;
    const direction = this.peek();
    const keyword = keywordOf(direction);
    if (keyword === 'ASC' || keyword === 'DESC') {
      ascending = keyword === 'ASC';
      this.index++;
    } else if (direction.kind !== 'end') {
      this.fail(direction, `expected ASC, DESC or the end after "${token.text}", got ${this.describe(direction)}`);
    }
    const end = this.peek();
    if (end.kind !== 'end') this.fail(end, `expected the end of the clause after "${direction.text}", got ${this.describe(end)}`);
    return { entity, key, ascending };
  }

  private clause(): Clause {
    const { entity, key, token } = this.identifier();
    const comparatorStart = this.peek().start;
    const comparator = this.comparator(token);
    const comparatorText = this.input.slice(comparatorStart, this.tokens[this.index - 1]?.end);
    this.checkComparator(entity, key, comparator, comparatorStart, comparatorText);
    const label = this.input.slice(token.start, this.tokens[this.index - 1]?.end);
    return { entity, key, comparator, value: this.value(entity, key, comparator, label) };
  }

  private identifier(): Identifier {
    const token = this.peek();
    const keyword = keywordOf(token);
    if (token.kind !== 'identifier' || keyword === 'AND' || keyword === 'OR') {
      const example = this.subject === 'filter' ? 'a clause such as metrics.rmse < 0.8' : 'a column such as metrics.rmse';
      this.fail(token, `expected ${example}, got ${this.describe(token)}`);
    }
    this.index++;
    const [head, ...rest] = token.segments;
    if (head === undefined) throw new Error('identifier tokens have at least one segment');
    // MLflow reads a name without a prefix as an attribute (`status = 'FAILED'`).
    if (rest.length === 0) return { entity: 'attribute', key: this.attribute(head, true), token };
    const entity = this.schema.entities.get(head.text.toLowerCase());
    if (entity === undefined) {
      const problem = RUNS.entities.has(head.text.toLowerCase()) ? `${this.schema.noun} have no "${head.text}"` : `unknown entity "${head.text}"`;
      this.failAt(head, `${problem}; use ${this.schema.prefixes}`);
    }
    const empty = rest.find((s) => s.text === '' && !s.quoted);
    if (empty !== undefined) this.failAt(empty, `expected a key after "${this.input.slice(token.start, empty.start)}"`);
    if (rest.length > 1 && rest.some((s) => s.quoted)) {
      this.failAt(rest[0] ?? head, `quote the whole key, e.g. ${head.text}.\`${rest.map((s) => s.text).join('.')}\``);
    }
    const key = rest.map((s) => s.text).join('.');
    if (key === '') this.failAt(rest[0] ?? head, 'the key is empty');
    if (entity === 'attribute') {
      const keySegment: Segment = { text: key, quoted: false, start: rest[0]?.start ?? 0, end: token.end };
      return { entity, key: this.attribute(keySegment, false), token };
    }
    if (entity === 'dataset') {
      const name = key.toLowerCase();
      if (!DATASET_KEYS.has(name)) this.failAt(rest[0] ?? head, `unknown dataset key "${key}"; datasets are searched by ${[...DATASET_KEYS].join(', ')}`);
      return { entity, key: name, token };
    }
    return { entity, key, token };
  }

  /** The canonical attribute name, or an error listing the valid ones. */
  private attribute(segment: Segment, bare: boolean): string {
    const name = segment.text.toLowerCase();
    const canonical = this.schema.aliases.get(name) ?? name;
    if (this.schema.attributes.has(canonical) || (this.subject !== 'filter' && this.schema.orderable.has(canonical))) {
      return canonical;
    }
    const valid = [...(this.subject === 'filter' ? this.schema.attributes.keys() : this.schema.orderable)].join(', ');
    const prefix = bare ? `; prefix other keys with ${this.schema.prefixes}` : '';
    return this.failAt(segment, `unknown attribute "${segment.text}"; attributes are ${valid}${prefix}`);
  }

  private comparator(identifier: Token): Comparator {
    const token = this.peek();
    const expected = `expected a comparator after "${identifier.text}", got ${this.describe(token)}`;
    if (token.kind === 'operator') {
      const found = NUMERIC.find((c) => c === token.text);
      if (found === undefined) {
        const hint = token.text === '==' ? ' (use =)' : token.text === '<>' ? ' (use !=)' : '';
        this.fail(token, expected + hint);
      }
      this.index++;
      return found;
    }
    const keyword = keywordOf(token);
    if (keyword === 'LIKE' || keyword === 'ILIKE' || keyword === 'IN') {
      this.index++;
      return keyword;
    }
    if (keyword === 'NOT') {
      this.index++;
      const next = this.peek();
      if (keywordOf(next) === 'IN') {
        this.index++;
        return 'NOT IN';
      }
      if (keywordOf(next) === 'LIKE' || keywordOf(next) === 'ILIKE') {
        this.failSpan(token.start, next.end, 'NOT LIKE is not supported by MLflow search; use != or LIKE');
      }
      this.fail(next, `expected IN after NOT, got ${this.describe(next)}`);
    }
    if (keyword === 'IS') {
      this.index++;
      const negated = keywordOf(this.peek()) === 'NOT';
      if (negated) this.index++;
      const last = this.peek();
      if (keywordOf(last) !== 'NULL') this.fail(last, `expected ${negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS'}, got ${this.describe(last)}`);
      this.index++;
      return negated ? 'IS NOT NULL' : 'IS NULL';
    }
    return this.fail(token, expected);
  }

  private checkComparator(entity: Entity, key: string, comparator: Comparator, start: number, text: string): void {
    let rule = this.schema.comparators[entity];
    if (entity === 'attribute') {
      const spec = this.schema.attributes.get(key);
      const numeric = spec?.type === 'number';
      const allowed = numeric ? NUMERIC : spec?.lists === true ? [...STRING, ...LIST] : STRING;
      rule = { allowed, as: `attributes.${key} compares as a ${numeric ? 'number' : 'string'}` };
      if (!numeric && spec?.lists !== true && LIST.includes(comparator)) {
        this.failSpan(start, start + text.length, `only attributes.run_id can be compared with ${comparator}; got it for attributes.${key}`);
      }
    }
    if (rule !== undefined && !rule.allowed.includes(comparator)) {
      this.failSpan(start, start + text.length, `${rule.as} with ${rule.allowed.join(', ')}; got "${text}"`);
    }
  }

  private value(entity: Entity, key: string, comparator: Comparator, label: string): Clause['value'] {
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') return null;
    if (comparator === 'IN' || comparator === 'NOT IN') return this.list(label);
    const token = this.peek();
    const numeric = entity === 'metric' || (entity === 'attribute' && this.schema.attributes.get(key)?.type === 'number');
    if (numeric && token.kind === 'number') {
      this.index++;
      return token.value;
    }
    if (!numeric && token.kind === 'string') {
      this.index++;
      return token.value;
    }
    const expected = `expected ${numeric ? 'a number' : 'a quoted string'} after "${label}", got ${this.describe(token)}`;
    if (token.kind === 'end') this.fail(token, `expected a value after "${label}", got the end of the filter`);
    if (numeric && token.kind === 'string') this.fail(token, `${expected}; write the number without quotes`);
    if (!numeric && (token.kind === 'number' || token.kind === 'identifier')) {
      this.fail(token, `${expected}; string values are quoted, e.g. '${token.text}'`);
    }
    return this.fail(token, expected);
  }

  private list(label: string): readonly string[] {
    const open = this.peek();
    if (open.kind !== 'lparen') this.fail(open, `expected a parenthesised list such as ('a', 'b') after "${label}", got ${this.describe(open)}`);
    this.index++;
    const values: string[] = [];
    for (;;) {
      const item = this.peek();
      if (item.kind !== 'string') this.fail(item, `expected a quoted string in the list after "${label}", got ${this.describe(item)}`);
      this.index++;
      values.push(item.value);
      const next = this.peek();
      this.index++;
      if (next.kind === 'rparen') return values;
      if (next.kind !== 'comma') this.fail(next, `expected "," or ")" in the list after "${label}", got ${this.describe(next)}`);
    }
  }

  private peek(): Token {
    const token = this.tokens[this.index] ?? this.tokens[this.tokens.length - 1];
    if (token === undefined) throw new Error('tokenize always ends with an end or invalid token');
    if (token.kind === 'invalid') this.fail(token, token.problem);
    return token;
  }

  private describe(token: Token): string {
    return token.kind === 'end' ? `the end of the ${this.subject === 'filter' ? 'filter' : 'clause'}` : `"${token.text}"`;
  }

  private fail(token: Token, reason: string): never {
    return this.failSpan(token.start, token.end, reason);
  }

  private failAt(segment: Segment, reason: string): never {
    return this.failSpan(segment.start, segment.end, reason);
  }

  private failSpan(start: number, end: number, reason: string): never {
    throw new SearchSyntaxError(this.input, start, this.input.slice(start, end), reason, this.subject);
  }
}
