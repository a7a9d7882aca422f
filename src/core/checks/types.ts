// The data checks (`.labbook/checks.yaml`) as the evaluator reads them, and what it returns: one
// result per rule and file, with the rule's place in the YAML so the editor can mark it.

/** 0-based line and character, as the editor counts them; `end` is exclusive. */
export interface SourceRange {
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

export interface Located<T> {
  readonly value: T;
  readonly range: SourceRange;
}

/** The portable type names; anything else is an engine (DuckDB) type name matched exactly. */
export type PortableType = 'int' | 'float' | 'number' | 'string' | 'bool' | 'datetime';

export interface ColumnSpec {
  readonly name: string;
  /** The column's key in the YAML. */
  readonly range: SourceRange;
  readonly required: boolean;
  readonly type?: Located<string>;
  readonly min?: Located<number | string>;
  readonly max?: Located<number | string>;
  readonly allowed?: Located<readonly (string | number | boolean)[]>;
  readonly maxNullShare?: Located<number>;
  readonly unique?: Located<boolean>;
}

export interface DriftSpec {
  readonly against: Located<string>;
  readonly datasetShare?: number;
  readonly thresholds?: Readonly<Record<string, number>>;
}

export interface DatasetSpec {
  /** Position in `datasets` (0-based). */
  readonly index: number;
  /** The name, else the path, else "the run's inputs". */
  readonly label: string;
  readonly path?: Located<string>;
  readonly inputs: boolean;
  /** The dataset's entry in the YAML (errors about the dataset as a whole go there). */
  readonly range: SourceRange;
  readonly columns: readonly ColumnSpec[];
  readonly rows?: { readonly min?: Located<number>; readonly max?: Located<number> };
  readonly drift?: DriftSpec;
}

export interface ChecksSpec {
  readonly datasets: readonly DatasetSpec[];
}

/**
 * schema: the checks file itself is wrong (YAML or schema). dataset: a dataset's files could not be
 * found or read. The others are the rules of the file format.
 */
export type CheckRule =
  | 'schema'
  | 'dataset'
  | 'column'
  | 'type'
  | 'min'
  | 'max'
  | 'allowed'
  | 'maxNullShare'
  | 'unique'
  | 'rows.min'
  | 'rows.max'
  | 'drift';

/** pass and fail: the rule was decided; error: it could not be (unreadable data, bad checks file). */
export type CheckStatus = 'pass' | 'fail' | 'error';

export interface CheckResult {
  readonly rule: CheckRule;
  readonly status: CheckStatus;
  /** The dataset's label (absent for schema errors). */
  readonly dataset?: string;
  /** The data file, relative to the workspace folder when inside it. */
  readonly file?: string;
  readonly column?: string;
  /** What the rule asks for, as text ("<= 120", "one of a, b"). */
  readonly expected?: string;
  /** What the data has, as text ("212"). */
  readonly observed?: string;
  /** One line, naming the column and the observed value: "age: max 212 > 120". */
  readonly message: string;
  /** Where the rule is in the checks file. */
  readonly range: SourceRange;
}

export interface CheckSummary {
  readonly passed: number;
  readonly failed: number;
  readonly errors: number;
}

export function summarize(results: readonly CheckResult[]): CheckSummary {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const r of results) {
    if (r.status === 'pass') passed++;
    else if (r.status === 'fail') failed++;
    else errors++;
  }
  return { passed, failed, errors };
}
