// Synthetic notebook pairs with a known answer, for the diff's property test and benchmark: code
// cells of realistic pandas/scikit-learn shape (several lines, some outputs, a few small images),
// and a remote side made from the base by seeded random edits, inserts, deletes and moves.

export interface SyntheticOptions {
  cells: number;
  seed: number;
  /** Fractions of the base cells. */
  edits: number;
  inserts: number;
  deletes: number;
  /** How many unchanged cells to move at least 10 places. */
  moves?: number;
  /** nbformat 4.5 with cell ids (default: 4.4, no ids, so alignment must work from content). */
  ids?: boolean;
}

export interface SyntheticPair {
  /** nbformat JSON text of each side. */
  base: string;
  remote: string;
  baseCells: number;
  remoteCells: number;
  /** [base index, remote index] of each edited cell. */
  edited: Array<[number, number]>;
  moved: Array<[number, number]>;
  unchanged: Array<[number, number]>;
  inserted: number[];
  deleted: number[];
}

/** A small seeded PRNG (mulberry32): the same seed gives the same notebooks everywhere. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DATASETS = ['sales', 'churn', 'clicks', 'orders', 'sessions', 'returns', 'visits', 'claims', 'trips', 'loans', 'reviews', 'tickets'];
const COLUMNS = ['price', 'quantity', 'age', 'tenure', 'duration', 'amount', 'score', 'distance', 'rating', 'income', 'balance', 'latency'];
const MODELS = ['RandomForestClassifier', 'GradientBoostingClassifier', 'LogisticRegression', 'ExtraTreesClassifier', 'HistGradientBoostingClassifier'];

interface Cell {
  source: string[];
  outputs: unknown[];
}

type Pick = <T>(items: readonly T[]) => T;

/** One code cell of a data-science notebook; `k` keeps names distinct across cells. */
function makeCell(k: number, rand: () => number, pick: Pick): Cell {
  const ds = `${pick(DATASETS)}_${k}`;
  const col = pick(COLUMNS);
  const col2 = pick(COLUMNS);
  const n = 10 + Math.floor(rand() * 990);
  const templates: Array<() => Cell> = [
    () => ({
      source: [
        `${ds} = pd.read_csv("data/${ds}.csv", parse_dates=["date"])`,
        `${ds} = ${ds}.dropna(subset=["${col}", "${col2}"])`,
        `${ds}["${col}_z"] = (${ds}["${col}"] - ${ds}["${col}"].mean()) / ${ds}["${col}"].std()`,
        `${ds} = ${ds}[${ds}["${col}_z"].abs() < ${(2 + rand() * 2).toFixed(1)}]`,
        `print(${ds}.shape)`,
      ],
      outputs: [{ output_type: 'stream', name: 'stdout', text: [`(${n * 13}, ${5 + (k % 20)})\n`] }],
    }),
    () => {
      const model = pick(MODELS);
      return {
        source: [
          `model_${k} = ${model}(n_estimators=${n}, max_depth=${2 + (k % 9)}, random_state=${k})`,
          `model_${k}.fit(X_train[features_${k % 7}], y_train)`,
          `pred_${k} = model_${k}.predict(X_test[features_${k % 7}])`,
          `score_${k} = accuracy_score(y_test, pred_${k})`,
          `print(f"${model} ${k}: {score_${k}:.3f}")`,
        ],
        outputs: [{ output_type: 'stream', name: 'stdout', text: [`${model} ${k}: 0.${String(800 + (n % 199)).padStart(3, '0')}\n`] }],
      };
    },
    () => ({
      source: [`summary_${k} = (`, `    ${ds}.groupby("segment")[["${col}", "${col2}"]]`, `    .agg(["mean", "median", "count"])`, `    .round(${1 + (k % 3)})`, `)`, `summary_${k}.head(${3 + (k % 5)})`],
      outputs: [
        {
          output_type: 'execute_result',
          execution_count: null,
          metadata: {},
          data: { 'text/plain': [`         ${col}          ${col2}\n`, `segment  mean  median  mean  median\n`, `a        ${n}.1  ${n - 3}.0  ${k}.2  ${k}.0\n`, `b        ${n + 7}.4  ${n}.5  ${k + 1}.9  ${k}.5`] },
        },
      ],
    }),
    () => ({
      source: [`fig, ax = plt.subplots(figsize=(6, 3))`, `${ds}["${col}"].plot.hist(bins=${10 + (k % 40)}, ax=ax, alpha=0.7)`, `ax.set_title("${col} in ${ds}")`, `ax.set_xlabel("${col}")`],
      outputs: [{ output_type: 'display_data', metadata: {}, data: { 'image/png': fakePng(rand, 600 + Math.floor(rand() * 1500)), 'text/plain': ['<Figure size 600x300 with 1 Axes>'] } }],
    }),
    () => ({
      source: [
        `def add_features_${k}(frame):`,
        `    frame = frame.copy()`,
        `    frame["${col}_log"] = np.log1p(frame["${col}"])`,
        `    frame["${col}_per_${col2}"] = frame["${col}"] / (frame["${col2}"] + ${n % 10 + 1})`,
        `    return frame`,
        ``,
        `${ds} = add_features_${k}(${ds})`,
      ],
      outputs: [],
    }),
  ];
  return (templates[Math.floor(rand() * templates.length)] as () => Cell)();
}

/** Random base64 that looks like a PNG's: what matters to a diff is that it is a long opaque blob. */
function fakePng(rand: () => number, bytes: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = 'iVBORw0KGgoAAAANSUhEUgAA';
  const length = Math.ceil((bytes * 4) / 3);
  for (let i = out.length; i < length; i++) out += alphabet[Math.floor(rand() * 64)];
  return out;
}

/** One small, realistic edit: a changed number, a renamed column, an added line, or a removed line. */
function editCell(cell: Cell, rand: () => number, pick: Pick): Cell {
  const source = [...cell.source];
  // A blank line's removal would be a whitespace-only change, which the diff rightly ignores.
  let line = Math.floor(rand() * source.length);
  while ((source[line] as string).trim() === '') line = (line + 1) % source.length;
  const kind = Math.floor(rand() * 4);
  const text = source[line] as string;
  if (kind === 0 && /\d+/.test(text)) source[line] = text.replace(/\d+(?!.*\d)/, (d) => String(Number(d) + 1 + Math.floor(rand() * 50)));
  else if (kind === 1 && COLUMNS.some((c) => text.includes(c))) {
    const from = COLUMNS.find((c) => text.includes(c)) as string;
    source[line] = text.replaceAll(from, pick(COLUMNS.filter((c) => c !== from)));
  } else if (kind === 2 || source.length < 4) source.splice(line + 1, 0, `print("checkpoint", ${Math.floor(rand() * 100)})`);
  else source.splice(line, 1);
  const outputs = cell.outputs.map((o) => {
    const output = o as { output_type: string; text?: string[] };
    return output.output_type === 'stream' ? { ...output, text: [`${(output.text ?? []).join('').trim()} (rerun ${Math.floor(rand() * 1000)})\n`] } : output;
  });
  return { source, outputs };
}

function notebookJson(cells: Array<Cell & { id: string }>, ids: boolean): string {
  let count = 0;
  const json = {
    cells: cells.map((cell) => ({
      cell_type: 'code',
      execution_count: ++count,
      ...(ids ? { id: cell.id } : {}),
      metadata: {},
      outputs: cell.outputs.map((o) => ((o as { output_type: string }).output_type === 'execute_result' ? { ...(o as object), execution_count: count } : o)),
      source: cell.source.map((line, i) => (i < cell.source.length - 1 ? `${line}\n` : line)),
    })),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python', version: '3.11.7' } },
    nbformat: 4,
    nbformat_minor: ids ? 5 : 4,
  };
  return `${JSON.stringify(json, null, 1)}\n`;
}

export function syntheticPair(options: SyntheticOptions): SyntheticPair {
  const rand = seededRandom(options.seed);
  const pick: Pick = (items) => items[Math.floor(rand() * items.length)] as (typeof items)[number];
  const base = Array.from({ length: options.cells }, (_, k) => ({ ...makeCell(k, rand, pick), id: `cell-${k}` }));
  type Entry = { cell: Cell & { id: string }; baseIndex: number | null; state: 'same' | 'edited' | 'moved' | 'new' };
  let entries: Entry[] = base.map((cell, i) => ({ cell, baseIndex: i, state: 'same' }));
  const choose = (count: number, from: Entry[]) => {
    const pool = [...from];
    const chosen: Entry[] = [];
    while (chosen.length < count && pool.length) chosen.push(pool.splice(Math.floor(rand() * pool.length), 1)[0] as Entry);
    return chosen;
  };
  const deleted = new Set(choose(Math.round(options.cells * options.deletes), entries));
  entries = entries.filter((e) => !deleted.has(e));
  for (const e of choose(Math.round(options.cells * options.edits), entries)) {
    e.cell = { ...editCell(e.cell, rand, pick), id: e.cell.id };
    e.state = 'edited';
  }
  for (const e of choose(options.moves ?? 0, entries.filter((x) => x.state === 'same'))) {
    const from = entries.indexOf(e);
    entries.splice(from, 1);
    let to = from;
    while (Math.abs(to - from) < 10) to = Math.floor(rand() * (entries.length + 1));
    entries.splice(to, 0, e);
    e.state = 'moved';
  }
  const inserts = Math.round(options.cells * options.inserts);
  for (let n = 0; n < inserts; n++) {
    const k = options.cells + n;
    entries.splice(Math.floor(rand() * (entries.length + 1)), 0, { cell: { ...makeCell(k, rand, pick), id: `cell-${k}` }, baseIndex: null, state: 'new' });
  }
  const pair: SyntheticPair = {
    base: notebookJson(base, options.ids ?? false),
    remote: notebookJson(
      entries.map((e) => e.cell),
      options.ids ?? false,
    ),
    baseCells: base.length,
    remoteCells: entries.length,
    edited: [],
    moved: [],
    unchanged: [],
    inserted: [],
    deleted: [...deleted].map((e) => e.baseIndex as number).sort((x, y) => x - y),
  };
  entries.forEach((e, j) => {
    if (e.state === 'new') pair.inserted.push(j);
    else if (e.state === 'edited') pair.edited.push([e.baseIndex as number, j]);
    else if (e.state === 'moved') pair.moved.push([e.baseIndex as number, j]);
    else pair.unchanged.push([e.baseIndex as number, j]);
  });
  return pair;
}
