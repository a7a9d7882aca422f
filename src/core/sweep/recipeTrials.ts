// A recipe of a workspace's .labbook/runs.json as a sweep's program, for the editor and for
// `labbook sweep run` alike: read at each call (a recipe edited during a sweep applies to its next
// trials) by the parser the editor's launches use, so both follow one schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRecipes, RECIPES_FILE } from '../launch/recipes.ts';
import type { ResolvedRecipe } from './trialLaunch.ts';

/** The recipe `name` of `folder`'s runs.json; undefined when the file or the recipe is missing or unreadable. */
export function workspaceRecipe(folder: string, name: string): ResolvedRecipe | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(folder, RECIPES_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const recipe = parseRecipes(text).recipes.find((r) => r.name === name);
  if (!recipe) return undefined;
  return {
    name: recipe.name,
    kind: recipe.kind,
    file: path.resolve(folder, recipe.program),
    args: recipe.args,
    parameters: recipe.parameters,
    env: recipe.env,
    dataPaths: recipe.dataPaths,
    // Trials run where Queue Run runs the recipe (its cwd); recipes name no interpreter, so the launch resolves the file's, as Queue Run does.
    ...(recipe.cwd ? { cwd: recipe.cwd } : {}),
    ...(recipe.experiment ? { experimentName: recipe.experiment } : {}),
  };
}
