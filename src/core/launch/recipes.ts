// Named run recipes in `.labbook/runs.json` (schema: schemas/runs.schema.json). Plain functions
// (no `vscode`), unit-tested in Node.
import * as path from 'node:path';
import { errorMessage } from '../../shared/errorMessage.ts';
import { isRecord } from '../../shared/isRecord.ts';
import { parseRetrain, type RetrainSpec } from '../retrain/retrainSpec.ts';

export const RECIPES_FILE = '.labbook/runs.json';

export interface RunRecipe {
  readonly name: string;
  /** The script or notebook, relative to the workspace folder. */
  readonly program: string;
  readonly kind: 'script' | 'notebook';
  readonly args: readonly string[];
  /** Notebook parameters, injected after the cell tagged `parameters`. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly cwd?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly dataPaths: readonly string[];
  readonly experiment?: string;
  readonly runName?: string;
  /** When to offer a retraining run (src/host/retrain/): data changed, drift past a share, or a schedule (CI). */
  readonly retrain?: RetrainSpec;
}

export interface ParsedRecipes {
  readonly recipes: readonly RunRecipe[];
  /** One line per problem, naming the recipe and the field; bad recipes are skipped, not fatal. */
  readonly problems: readonly string[];
}


export function parseRecipes(text: string): ParsedRecipes {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { recipes: [], problems: [`${RECIPES_FILE} is not valid JSON: ${errorMessage(err)}`] };
  }
  const list = isRecord(json) ? json.recipes : undefined;
  if (!Array.isArray(list)) return { recipes: [], problems: [`${RECIPES_FILE} needs a "recipes" array.`] };
  const recipes: RunRecipe[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  list.forEach((raw: unknown, index) => {
    const where = `recipe ${index + 1}`;
    if (!isRecord(raw)) return void problems.push(`${where} is not an object.`);
    const name = typeof raw.name === 'string' && raw.name.trim() ? raw.name.trim() : undefined;
    if (!name) return void problems.push(`${where} has no "name".`);
    if (names.has(name)) return void problems.push(`${where}: the name "${name}" is used twice.`);
    const program = typeof raw.program === 'string' && raw.program.trim() ? raw.program.trim() : undefined;
    if (!program) return void problems.push(`"${name}" has no "program" (a .py script or .ipynb notebook).`);
    const ext = path.extname(program).toLowerCase();
    if (ext !== '.py' && ext !== '.ipynb') return void problems.push(`"${name}": "program" must be a .py script or an .ipynb notebook.`);
    const strings = (field: string): string[] | undefined => {
      const value = raw[field];
      if (value === undefined) return [];
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
      problems.push(`"${name}": "${field}" must be a list of strings.`);
      return undefined;
    };
    const args = strings('args');
    const dataPaths = strings('dataPaths');
    if (!args || !dataPaths) return;
    const env = raw.env ?? {};
    if (!isRecord(env) || !Object.values(env).every((v) => typeof v === 'string')) return void problems.push(`"${name}": "env" must map names to strings.`);
    const parameters = raw.parameters ?? {};
    if (!isRecord(parameters)) return void problems.push(`"${name}": "parameters" must be an object.`);
    const optional = (field: string): string | undefined => (typeof raw[field] === 'string' && raw[field].trim() ? raw[field].trim() : undefined);
    names.add(name);
    const cwd = optional('cwd');
    const experiment = optional('experiment');
    const runName = optional('runName');
    const retrain = parseRetrain(raw.retrain);
    if (typeof retrain === 'string') return void problems.push(`"${name}": ${retrain}`);
    recipes.push({
      name,
      program,
      kind: ext === '.ipynb' ? 'notebook' : 'script',
      args,
      parameters,
      env: env as Record<string, string>,
      dataPaths,
      ...(cwd ? { cwd } : {}),
      ...(experiment ? { experiment } : {}),
      ...(runName ? { runName } : {}),
      ...(retrain ? { retrain } : {}),
    });
  });
  return { recipes, problems };
}

/** A starter file for "Add Run Recipe…": one recipe for the given program. */
export function starterRecipes(program: string, args: readonly string[]): string {
  const kind = path.extname(program).toLowerCase() === '.ipynb' ? 'notebook' : 'script';
  const recipe: Record<string, unknown> = { name: path.basename(program, path.extname(program)), program };
  if (kind === 'script') recipe.args = args;
  else recipe.parameters = {};
  recipe.dataPaths = [];
  return `${JSON.stringify({ recipes: [recipe] }, null, 2)}\n`;
}
