// What kind of value an assignment's right-hand side produces, judged from the code alone: enough
// for the generated smoke tests to check "a DataFrame", "a model with predict", "a number", and for
// warnings about values that will not survive being passed between steps.
import type { ValueKind } from './model.ts';
import type { SyntaxNode } from './pythonParser.ts';

export interface KindContext {
  /** Kinds of the names defined so far, at module level. */
  kinds: Map<string, ValueKind>;
  /** Imported name → where it comes from (`pd` → `pandas`, `LinearRegression` → `sklearn.linear_model.LinearRegression`). */
  imports: Map<string, string>;
}

export function emptyKindContext(): KindContext {
  return { kinds: new Map(), imports: new Map() };
}

const MODEL_NAME = /(Classifier|Regressor|Regression|Classification|SVC|SVR|NB|Lasso|LassoCV|Ridge|RidgeCV|ElasticNet|KNeighbors\w*|Tree\w*|Forest\w*|Boost\w*|KMeans|Perceptron|Lars)$/;
const ESTIMATOR_LIBS = ['sklearn.', 'xgboost.', 'lightgbm.', 'catboost.'];
const PANDAS_FRAMES: ReadonlySet<string> = new Set(['DataFrame', 'read_csv', 'read_parquet', 'read_json', 'read_excel', 'read_sql', 'read_table', 'read_feather', 'get_dummies', 'pivot_table', 'json_normalize']);
const NUMPY_ARRAYS: ReadonlySet<string> = new Set(['array', 'asarray', 'zeros', 'ones', 'empty', 'full', 'arange', 'linspace', 'stack', 'vstack', 'hstack', 'concatenate', 'column_stack', 'zeros_like', 'ones_like']);
const FRAME_METHODS: ReadonlySet<string> = new Set(['copy', 'dropna', 'fillna', 'assign', 'merge', 'drop', 'rename', 'sort_values', 'sort_index', 'reset_index', 'query', 'head', 'tail', 'sample', 'astype', 'join', 'select_dtypes', 'drop_duplicates', 'set_index']);
const NUMBER_BUILTINS: ReadonlySet<string> = new Set(['float', 'int', 'round', 'len', 'abs']);

function lastSegment(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf('.') + 1);
}

function estimatorKind(origin: string): ValueKind | undefined {
  if (!ESTIMATOR_LIBS.some((lib) => origin.startsWith(lib))) return undefined;
  const name = lastSegment(origin);
  if (origin.startsWith('sklearn.metrics.')) return /(_score|_error|_loss)$|^(accuracy|r2|f1|precision|recall|roc_auc)/.test(name) ? 'number' : undefined;
  if (name === 'make_pipeline' || name === 'Pipeline' || name === 'make_column_transformer' || name === 'ColumnTransformer') return 'estimator';
  if (!/^[A-Z]/.test(name)) return undefined;
  return MODEL_NAME.test(name) ? 'model' : 'estimator';
}

/** The kind of value `node` evaluates to, or 'unknown'. */
export function inferValueKind(node: SyntaxNode, ctx: KindContext, depth = 0): ValueKind {
  if (depth > 20) return 'unknown';
  switch (node.type) {
    case 'integer':
    case 'float':
      return 'number';
    case 'unary_operator': {
      const operand = node.childForFieldName('argument');
      return operand && inferValueKind(operand, ctx, depth + 1) === 'number' ? 'number' : 'unknown';
    }
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      return left && right && inferValueKind(left, ctx, depth + 1) === 'number' && inferValueKind(right, ctx, depth + 1) === 'number' ? 'number' : 'unknown';
    }
    case 'parenthesized_expression': {
      const inner = node.namedChild(0);
      return inner ? inferValueKind(inner, ctx, depth + 1) : 'unknown';
    }
    case 'identifier':
      return ctx.kinds.get(node.text) ?? 'unknown';
    case 'subscript': {
      const value = node.childForFieldName('value');
      const index = node.childForFieldName('subscript');
      if (value?.type !== 'identifier' || ctx.kinds.get(value.text) !== 'dataframe' || !index) return 'unknown';
      if (index.type === 'string') return 'series';
      if (index.type === 'list') return 'dataframe';
      return 'unknown';
    }
    case 'attribute': {
      const object = node.childForFieldName('object');
      const attribute = node.childForFieldName('attribute')?.text;
      const kind = object?.type === 'identifier' ? ctx.kinds.get(object.text) : undefined;
      if (attribute === 'values' && (kind === 'dataframe' || kind === 'series')) return 'ndarray';
      return 'unknown';
    }
    case 'call':
      return callKind(node, ctx, depth);
    default:
      return 'unknown';
  }
}

function callKind(node: SyntaxNode, ctx: KindContext, depth: number): ValueKind {
  const fn = node.childForFieldName('function');
  if (!fn) return 'unknown';
  if (fn.type === 'identifier') {
    const origin = ctx.imports.get(fn.text);
    if (!origin) return NUMBER_BUILTINS.has(fn.text) && !ctx.kinds.has(fn.text) ? 'number' : 'unknown';
    if (origin.startsWith('pandas.')) return PANDAS_FRAMES.has(lastSegment(origin)) ? 'dataframe' : lastSegment(origin) === 'Series' ? 'series' : 'unknown';
    if (origin.startsWith('numpy.')) return NUMPY_ARRAYS.has(lastSegment(origin)) ? 'ndarray' : 'unknown';
    return estimatorKind(origin) ?? 'unknown';
  }
  if (fn.type !== 'attribute') return 'unknown';
  const object = fn.childForFieldName('object');
  const method = fn.childForFieldName('attribute')?.text ?? '';
  if (object?.type === 'identifier') {
    const module = ctx.imports.get(object.text);
    if (module !== undefined) {
      if (module === 'pandas') return PANDAS_FRAMES.has(method) ? 'dataframe' : method === 'Series' ? 'series' : 'unknown';
      if (module === 'numpy') return NUMPY_ARRAYS.has(method) ? 'ndarray' : 'unknown';
      return estimatorKind(`${module}.${method}`) ?? 'unknown';
    }
  }
  const receiver = object ? inferValueKind(object, ctx, depth + 1) : 'unknown';
  if (receiver === 'dataframe' && FRAME_METHODS.has(method)) return 'dataframe';
  if ((receiver === 'dataframe' || receiver === 'series') && method === 'to_numpy') return 'ndarray';
  if (receiver === 'model' && method === 'predict') return 'ndarray';
  if ((receiver === 'model' || receiver === 'estimator') && method === 'score') return 'number';
  if ((receiver === 'model' || receiver === 'estimator') && method === 'fit') return receiver;
  return 'unknown';
}

/** Why the value of `node` will probably not pickle, or undefined when nothing suggests so. */
export function unserializableReason(node: SyntaxNode, ctx: KindContext): string | undefined {
  switch (node.type) {
    case 'lambda':
      return 'a lambda';
    case 'generator_expression':
      return 'a generator';
    case 'call': {
      const fn = node.childForFieldName('function');
      if (!fn) return undefined;
      const name = fn.type === 'identifier' ? fn.text : fn.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
      const object = fn.type === 'attribute' ? fn.childForFieldName('object') : null;
      const origin = fn.type === 'identifier' ? (ctx.imports.get(name) ?? name) : object?.type === 'identifier' ? `${ctx.imports.get(object.text) ?? object.text}.${name}` : name;
      if (origin === 'open' || origin === 'io.open' || origin.endsWith('gzip.open') || origin.endsWith('bz2.open')) return 'an open file handle';
      if (name === 'connect' || name === 'create_engine' || name === 'cursor') return 'a database connection';
      if (origin === 'socket.socket') return 'a socket';
      if (origin.startsWith('threading.') || origin.startsWith('multiprocessing.')) return 'a thread, process or lock';
      if (origin === 'iter') return 'an iterator';
      return undefined;
    }
    default:
      return undefined;
  }
}
