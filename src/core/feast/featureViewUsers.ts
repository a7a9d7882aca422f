// "Which models use this feature view?": the runs that recorded a Feast feature view as an input
// (featureInputs.ts: a dataset named after the view, source type `feast`), in any of its versions,
// and what came of them (logged models, model versions, aliases), read through the lineage reader.
// One dataset search over every experiment, then one downstream walk per version of the view.
import { LineageReader } from '../lineage/lineageReader.ts';
import type { AliasNode, ModelVersionNode, RunNode } from '../lineage/types.ts';
import { searchString as quoted } from '../runsTable/viewQuery.ts';
import { activeExperimentIds } from '../store/activeExperiments.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { Run } from '../store/types.ts';
import { FEAST_SOURCE_TYPE } from './featureInputs.ts';

export interface FeatureViewUsers {
  readonly view: string;
  /** The view's versions (dataset digests) the runs recorded, newest run's first. */
  readonly digests: readonly string[];
  /** Runs that read the view, newest first. */
  readonly runs: readonly RunNode[];
  readonly modelVersions: readonly ModelVersionNode[];
  readonly aliases: readonly AliasNode[];
  /** More runs used the view than were read. */
  readonly truncated: boolean;
  readonly notes: readonly string[];
}

function feastInputsOf(run: Run, view: string) {
  return (run.inputs?.datasetInputs ?? []).filter((d) => d.dataset.name === view && d.dataset.sourceType === FEAST_SOURCE_TYPE);
}

/** The runs and models that used the Feast feature view `view` (by name, every version of it). */
export async function featureViewUsers(store: ReadableStore, view: string, options: { maxRuns?: number } = {}): Promise<FeatureViewUsers> {
  const maxRuns = options.maxRuns ?? 1000;
  const experiments = await activeExperimentIds(store);
  const empty = { view, digests: [], runs: [], modelVersions: [], aliases: [], truncated: false, notes: [] };
  if (!experiments.length) return empty;
  const found = await store.searchRuns({ experimentIds: experiments, filter: `datasets.name = ${quoted(view)}`, maxResults: maxRuns, orderBy: ['attributes.start_time DESC'] });
  const digests: string[] = [];
  for (const run of found.items) for (const input of feastInputsOf(run, view)) if (!digests.includes(input.dataset.digest)) digests.push(input.dataset.digest);
  if (!digests.length) return { ...empty, truncated: found.nextPageToken !== undefined };
  const reader = new LineageReader(store);
  const runs = new Map<string, RunNode>();
  const versions = new Map<string, ModelVersionNode>();
  const aliases = new Map<string, AliasNode>();
  const notes: string[] = [];
  let truncated = found.nextPageToken !== undefined;
  for (const digest of digests) {
    const users = await reader.usersOfDigest(digest);
    for (const run of users.runs) runs.set(run.id, run);
    for (const version of users.modelVersions) versions.set(version.id, version);
    for (const alias of users.aliases) aliases.set(alias.id, alias);
    truncated ||= users.graph.truncated.length > 0;
    notes.push(...users.graph.notes);
  }
  return {
    view,
    digests,
    runs: [...runs.values()].sort((a, b) => b.startTime - a.startTime),
    modelVersions: [...versions.values()].sort((a, b) => a.name.localeCompare(b.name) || Number(b.version) - Number(a.version)),
    aliases: [...aliases.values()],
    truncated,
    notes: [...new Set(notes)],
  };
}
