// How alike two cell sources are, cheaply: a Dice coefficient over their token multisets
// (identifiers, numbers, punctuation, words — plus each whole line as one more token), every token
// weighted by its rarity in the two notebooks (inverse document frequency). Plain Dice rates two
// cells cut from one template (`model_3 = RandomForestClassifier(…)` and `model_9 = …`) as alike as
// a cell and its edit; with rare tokens counting more, the cell's own names, numbers and untouched
// lines decide.
import type { NotebookCell } from '../notebook/notebookModel.ts';
import { Interner } from './myers.ts';

/** Tokens past this count are not compared: a huge cell's head says enough about it. */
const MAX_TOKENS = 4000;
const TOKEN = /[A-Za-z_]\w*|\d+(?:\.\d+)?|[^\s\w]/g;

/** The cell's tokens and lines as sorted ids (a multiset). */
export function tokenProfile(source: string, interner: Interner): Int32Array {
  const ids: number[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(source); m !== null && ids.length < MAX_TOKENS; m = TOKEN.exec(source)) ids.push(interner.id(m[0]));
  // Lines as tokens of their own (a control character keeps them apart from word tokens).
  let lines = 0;
  for (const line of source.split('\n')) {
    const trimmed = line.trim();
    if (trimmed && lines++ < MAX_TOKENS) ids.push(interner.id(`\u0001${trimmed}`));
  }
  return Int32Array.from(ids).sort();
}

/** Token profiles of every cell of both notebooks, and the rarity weights they imply. */
export class SimilarityIndex {
  private readonly baseProfiles: Int32Array[];
  private readonly remoteProfiles: Int32Array[];
  private readonly baseTotals: Float64Array;
  private readonly remoteTotals: Float64Array;
  private readonly weights: Float64Array;

  constructor(base: readonly NotebookCell[], remote: readonly NotebookCell[]) {
    const interner = new Interner();
    this.baseProfiles = base.map((cell) => tokenProfile(cell.source, interner));
    this.remoteProfiles = remote.map((cell) => tokenProfile(cell.source, interner));
    // Document frequency: in how many cells (either side) each token occurs.
    const all = [...this.baseProfiles, ...this.remoteProfiles];
    const df = new Float64Array(interner.size);
    for (const profile of all) {
      for (let k = 0; k < profile.length; k++) {
        const token = profile[k] as number;
        if (k === 0 || token !== profile[k - 1]) df[token] = (df[token] as number) + 1;
      }
    }
    this.weights = new Float64Array(interner.size);
    for (let t = 0; t < df.length; t++) this.weights[t] = Math.log(1 + all.length / Math.max(1, df[t] as number));
    const total = (profile: Int32Array) => {
      let sum = 0;
      for (let k = 0; k < profile.length; k++) sum += this.weights[profile[k] as number] as number;
      return sum;
    };
    this.baseTotals = Float64Array.from(this.baseProfiles, total);
    this.remoteTotals = Float64Array.from(this.remoteProfiles, total);
  }

  /** Weighted Dice of base cell i and remote cell j, in [0, 1]; 1 for two empty sources. */
  similarity(i: number, j: number): number {
    const a = this.baseProfiles[i] as Int32Array;
    const b = this.remoteProfiles[j] as Int32Array;
    const denominator = (this.baseTotals[i] as number) + (this.remoteTotals[j] as number);
    if (denominator === 0) return a.length === 0 && b.length === 0 ? 1 : 0;
    let x = 0;
    let y = 0;
    let common = 0;
    while (x < a.length && y < b.length) {
      const s = a[x] as number;
      const t = b[y] as number;
      if (s === t) {
        common += this.weights[s] as number;
        x++;
        y++;
      } else if (s < t) x++;
      else y++;
    }
    return (2 * common) / denominator;
  }
}
