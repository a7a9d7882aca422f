// Features ↔ runs, for every tracked launch (the editor's, and `labbook run` in a terminal or CI):
// the feature views a run retrieved become its dataset inputs (featureInputs.ts). What it used is
// read two ways and merged:
//   - explicitly, from the run's tags when it ends: `labbook.feast.feature_service` (service
//     names) and `labbook.feast.features` (`view:feature` references), set any way a run sets
//     tags (mlflow.set_tag, a printed `labbook: tag` line, a recipe's tags);
//   - from its code as the process starts (featureRetrievals.ts: get_historical_features with a
//     service or a literal list), where the code says so unambiguously.
// The names are resolved against the registries the caller reads (the repository whose project
// knows them), so the digest is the views' version while the run ran. Nothing is read, and no
// registry is asked for, when the run used no features.
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../shared/errorMessage.ts';
import { initPythonParser, type PythonWasmPaths } from '../pipeline/pythonParser.ts';
import { writesRunInputs, type TrackingStore } from '../store/trackingStore.ts';
import { featureInputs, namesOf, type FeaturesUsed } from './featureInputs.ts';
import { featureRetrievals, notebookPython } from './featureRetrievals.ts';
import type { FeastRegistry } from './feastRegistry.ts';

/** The explicit tags a run sets to say which features it retrieved. */
export const FEAST_SERVICE_TAG = 'labbook.feast.feature_service';
export const FEAST_FEATURES_TAG = 'labbook.feast.features';
/** Set by Labbook: the views recorded as the run's inputs, and how they were found. */
export const FEAST_VIEWS_TAG = 'labbook.feast.feature_views';
export const FEAST_FOUND_TAG = 'labbook.feast.found';

const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

export type FeaturesInCode = FeaturesUsed & { readonly unresolved: number };

/** Code that retrieves no features (or could not be read). */
export const NO_FEATURES_IN_CODE: FeaturesInCode = { services: [], references: [], unresolved: 0 };

/** Where the recording says what it did and why it did not. */
export interface FeastInputsLog {
  info(message: string): void;
  warn(message: string): void;
}

/** The features the file's code retrieves; none for a file that is not Python or a notebook, or too big. */
export async function featuresInCode(file: string, wasm?: PythonWasmPaths): Promise<FeaturesInCode> {
  const lower = file.toLowerCase();
  if (!lower.endsWith('.py') && !lower.endsWith('.ipynb')) return NO_FEATURES_IN_CODE;
  const text = await readFile(file, 'utf8');
  if (text.length > MAX_SOURCE_BYTES) return NO_FEATURES_IN_CODE;
  const source = lower.endsWith('.ipynb') ? notebookPython((JSON.parse(text) as { cells?: { cell_type: string; source: string | string[] }[] }).cells ?? []) : text;
  if (!source.includes('get_historical_features')) return NO_FEATURES_IN_CODE;
  return featureRetrievals(source, await initPythonParser(wasm));
}

/** The project of the registry that knows every name used (the first project of a repository otherwise). */
function projectFor(registries: readonly FeastRegistry[], used: FeaturesUsed) {
  const knows = (p: FeastRegistry['projects'][number]) =>
    used.services.every((s) => p.featureServices.some((f) => f.name === s)) &&
    used.references.every((r) => [...p.featureViews, ...p.onDemandFeatureViews].some((v) => v.name === r.split(':')[0]));
  for (const registry of registries) {
    const project = registry.projects.find((p) => p.name === registry.project && knows(p)) ?? registry.projects.find(knows);
    if (project) return { project, registry };
  }
  const first = registries[0];
  const fallback = first?.projects.find((p) => p.name === first.project);
  return first && fallback ? { project: fallback, registry: first } : undefined;
}

export interface RecordFeastInputs {
  /** The run's store: read for its tags, written with its inputs (when it can record them) and tags. */
  readonly store: Pick<TrackingStore, 'getRun' | 'setTag'>;
  readonly runId: string;
  /** What the code retrieves, read as the process started (featuresInCode). */
  readonly inCode: Promise<FeaturesInCode>;
  /** The registries to resolve the names against; asked for only when the run used features. */
  readonly registries: () => Promise<readonly FeastRegistry[]>;
  /** Where to see why no registry could be read, appended to that warning. */
  readonly unresolvedHint?: string;
  readonly log: FeastInputsLog;
}

/** After the run ended: records the feature views it used as its inputs; the views recorded (none when it used none). */
export async function recordFeastInputs(options: RecordFeastInputs): Promise<readonly string[]> {
  const { store, runId, log } = options;
  try {
    const code = await options.inCode;
    const tags = new Map((await store.getRun(runId)).data.tags.map((t) => [t.key, t.value]));
    const tagged = { services: namesOf(tags.get(FEAST_SERVICE_TAG)), references: namesOf(tags.get(FEAST_FEATURES_TAG)) };
    const fromCode = code.services.length + code.references.length > 0;
    const fromTags = tagged.services.length + tagged.references.length > 0;
    if (code.unresolved) log.info(`Run ${runId}: ${code.unresolved} get_historical_features call(s) whose features the code does not name literally; set the ${FEAST_SERVICE_TAG} or ${FEAST_FEATURES_TAG} tag to record them.`);
    if (!fromCode && !fromTags) return [];
    const used = { services: [...new Set([...tagged.services, ...code.services])], references: [...new Set([...tagged.references, ...code.references])] };
    const found = projectFor(await options.registries(), used);
    if (!found) {
      log.warn(`Run ${runId} used Feast features (${[...used.services, ...used.references].join(', ')}), but no Feast registry could be read to resolve them${options.unresolvedHint ? `: ${options.unresolvedHint}` : ''}.`);
      return [];
    }
    const result = featureInputs(found.project, used, found.registry.registry.path);
    if (result.unknown.length) log.warn(`Run ${runId}: the Feast project ${found.project.name} has no ${result.unknown.join(', ')}`);
    if (!result.inputs.length) return [];
    const how = fromCode && fromTags ? 'code+tags' : fromCode ? 'code' : 'tags';
    if (!writesRunInputs(store)) {
      log.warn(`Run ${runId} used the Feast feature views ${result.views.join(', ')}, but its store cannot record dataset inputs.`);
      return [];
    }
    await store.logInputs(runId, result.inputs);
    await store.setTag(runId, { key: FEAST_VIEWS_TAG, value: result.views.join(',') });
    await store.setTag(runId, { key: FEAST_FOUND_TAG, value: how });
    log.info(`Run ${runId}: Feast feature views ${result.views.join(', ')} recorded as inputs (from ${how})`);
    return result.views;
  } catch (err) {
    log.warn(`Feast inputs of run ${runId} not recorded: ${errorMessage(err)}`);
    return [];
  }
}
