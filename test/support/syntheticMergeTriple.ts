// Synthetic three-way merge inputs with a known answer, for the merge benchmark: a base notebook of
// code and markdown cells of data-science shape (several lines, some outputs), and local and remote
// sides made from it by seeded random edits, inserts, deletes and moves. Some cells are edited on
// both sides: on different lines (a clean diff3 merge) or on the same line (a conflict).
import { seededRandom } from './syntheticNotebook.ts';

export interface TripleOptions {
  cells: number;
  seed: number;
  /** Fraction of the base cells each side edits. */
  edits: number;
  /** Cells edited on both sides on different lines, and on the same line (conflicts). */
  bothEditedApart: number;
  bothEditedSameLine: number;
  /** Fractions of the base cells each side inserts and deletes, and unchanged cells each side moves. */
  inserts: number;
  deletes: number;
  moves: number;
  /** nbformat 4.5 with cell ids (default: 4.4, no ids, so alignment must work from content). */
  ids?: boolean;
}

export interface SyntheticTriple {
  /** nbformat JSON text of each side. */
  base: string;
  local: string;
  remote: string;
  /** Base indices of the cells both sides edited on the same line: the conflicts to expect. */
  conflicted: number[];
  /** Base indices of the cells both sides edited on different lines. */
  combined: number[];
}

interface Cell {
  id: string;
  type: 'code' | 'markdown';
  lines: string[];
  outputs: unknown[];
}

const DATASETS = ['sales', 'churn', 'clicks', 'orders', 'sessions', 'returns', 'visits', 'claims', 'trips', 'loans'];
const COLUMNS = ['price', 'quantity', 'age', 'tenure', 'duration', 'amount', 'score', 'distance', 'rating', 'income'];

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

/** One cell; `k` keeps names distinct across cells, so every line of the notebook is unique. */
function makeCell(k: number, rand: Rand): Cell {
  const ds = `${pick(rand, DATASETS)}_${k}`;
  const col = pick(rand, COLUMNS);
  const n = 10 + Math.floor(rand() * 990);
  const id = `cell-${k}`;
  const kind = Math.floor(rand() * 5);
  if (kind === 0) {
    return { id, type: 'markdown', outputs: [], lines: [`## Step ${k}: ${col} in ${ds}`, ``, `We keep the rows of \`${ds}\` whose ${col} is within ${n % 5} deviations (step ${k}).`, `The threshold for step ${k} came from the ${n} rows of the pilot.`] };
  }
  if (kind === 1) {
    return {
      id,
      type: 'code',
      lines: [`${ds} = pd.read_csv("data/${ds}.csv", parse_dates=["date"])`, `${ds} = ${ds}.dropna(subset=["${col}"])`, `${ds}["${col}_z_${k}"] = (${ds}["${col}"] - ${ds}["${col}"].mean()) / ${ds}["${col}"].std()`, `${ds} = ${ds}[${ds}["${col}_z_${k}"].abs() < ${(2 + rand() * 2).toFixed(1)}]`, `print(${ds}.shape)`],
      outputs: [{ output_type: 'stream', name: 'stdout', text: [`(${n * 13}, ${5 + (k % 20)})\n`] }],
    };
  }
  if (kind === 2) {
    return {
      id,
      type: 'code',
      lines: [`summary_${k} = (`, `    ${ds}.groupby("segment")["${col}"]`, `    .agg(["mean", "median", "count"])`, `    .round(${1 + (k % 3)})`, `)`, `summary_${k}.head(${3 + (k % 5)})`],
      outputs: [{ output_type: 'execute_result', execution_count: null, metadata: {}, data: { 'text/plain': [`segment  mean  median  count\n`, `a        ${n}.1  ${n - 3}.0  ${k}\n`, `b        ${n + 7}.4  ${n}.5  ${k + 1}`] } }],
    };
  }
  if (kind === 3) {
    return {
      id,
      type: 'code',
      lines: [`def add_features_${k}(frame):`, `    frame = frame.copy()`, `    frame["${col}_log_${k}"] = np.log1p(frame["${col}"])`, `    frame["${col}_scaled_${k}"] = frame["${col}"] / ${n}`, `    return frame`, ``, `${ds} = add_features_${k}(${ds})`],
      outputs: [],
    };
  }
  return {
    id,
    type: 'code',
    lines: [`model_${k} = RandomForestClassifier(n_estimators=${n}, max_depth=${2 + (k % 9)}, random_state=${k})`, `model_${k}.fit(X_train, y_train)`, `score_${k} = accuracy_score(y_test, model_${k}.predict(X_test))`, `print(f"model ${k}: {score_${k}:.3f}")`],
    outputs: [{ output_type: 'stream', name: 'stdout', text: [`model ${k}: 0.${800 + (n % 199)}\n`] }],
  };
}

/** The cell with line `line` changed by `side` (and, for code, re-run output). */
function editLine(cell: Cell, line: number, side: string, rand: Rand): Cell {
  const lines = [...cell.lines];
  lines[line] = `${lines[line] as string}  # ${side} ${Math.floor(rand() * 1000)}`;
  const outputs = cell.outputs.map((o) => {
    const output = o as { output_type: string; text?: string[] };
    return output.output_type === 'stream' ? { ...output, text: [`${(output.text ?? []).join('').trim()} (${side} rerun)\n`] } : o;
  });
  return { ...cell, lines, outputs };
}

function notebookJson(cells: Cell[], ids: boolean): string {
  let count = 0;
  const json = {
    cells: cells.map((cell) => {
      const source = cell.lines.map((line, i) => (i < cell.lines.length - 1 ? `${line}\n` : line));
      if (cell.type === 'markdown') return { cell_type: 'markdown', ...(ids ? { id: cell.id } : {}), metadata: {}, source };
      count++;
      return {
        cell_type: 'code',
        execution_count: count,
        ...(ids ? { id: cell.id } : {}),
        metadata: {},
        outputs: cell.outputs.map((o) => ((o as { output_type: string }).output_type === 'execute_result' ? { ...(o as object), execution_count: count } : o)),
        source,
      };
    }),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python', version: '3.11.7' } },
    nbformat: 4,
    nbformat_minor: ids ? 5 : 4,
  };
  return `${JSON.stringify(json, null, 1)}\n`;
}

/** Draws `count` distinct items from `pool` (which it shrinks). */
function draw(rand: Rand, pool: number[], count: number): number[] {
  const out: number[] = [];
  while (out.length < count && pool.length) out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0] as number);
  return out;
}

export function syntheticTriple(options: TripleOptions): SyntheticTriple {
  const rand = seededRandom(options.seed);
  const base = Array.from({ length: options.cells }, (_, k) => makeCell(k, rand));
  const editable = base.map((c, i) => (c.lines.length >= 4 ? i : -1)).filter((i) => i >= 0);
  // Disjoint roles, so the known answer holds: cells both sides edit, cells one side edits or deletes.
  const pool = [...editable];
  const conflicted = draw(rand, pool, options.bothEditedSameLine).sort((a, b) => a - b);
  const combined = draw(rand, pool, options.bothEditedApart).sort((a, b) => a - b);
  const perSide = Math.round(options.cells * options.edits) - conflicted.length - combined.length;
  const localOnly = new Set(draw(rand, pool, perSide));
  const remoteOnly = new Set(draw(rand, pool, perSide));
  const localDeletes = new Set(draw(rand, pool, Math.round(options.cells * options.deletes)));
  const remoteDeletes = new Set(draw(rand, pool, Math.round(options.cells * options.deletes)));
  const localMoves = draw(rand, pool, options.moves);
  const remoteMoves = draw(rand, pool, options.moves);

  const side = (name: 'local' | 'remote', only: Set<number>, deletes: Set<number>, moves: number[]): Cell[] => {
    const cells: Cell[] = [];
    base.forEach((cell, i) => {
      if (deletes.has(i)) return;
      if (conflicted.includes(i)) cells.push(editLine(cell, 2, name, rand));
      else if (combined.includes(i)) cells.push(editLine(cell, name === 'local' ? 0 : cell.lines.length - 1, name, rand));
      else if (only.has(i)) cells.push(editLine(cell, Math.floor(rand() * cell.lines.length), name, rand));
      else cells.push(cell);
    });
    for (const i of moves) {
      const from = cells.indexOf(base[i] as Cell);
      const [moved] = cells.splice(from, 1);
      let to = from;
      while (Math.abs(to - from) < 10) to = Math.floor(rand() * (cells.length + 1));
      cells.splice(to, 0, moved as Cell);
    }
    const inserts = Math.round(options.cells * options.inserts);
    for (let n = 0; n < inserts; n++) {
      const k = options.cells * (name === 'local' ? 2 : 3) + n;
      cells.splice(Math.floor(rand() * (cells.length + 1)), 0, makeCell(k, rand));
    }
    return cells;
  };
  const ids = options.ids ?? false;
  return {
    base: notebookJson(base, ids),
    local: notebookJson(side('local', localOnly, localDeletes, localMoves), ids),
    remote: notebookJson(side('remote', remoteOnly, remoteDeletes, remoteMoves), ids),
    conflicted,
    combined,
  };
}
