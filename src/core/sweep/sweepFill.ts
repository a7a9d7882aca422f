// Making a sweep's next trial and queuing it: grid and random configurations come from space.ts
// (trial i is the same whenever it is made, so a resumed sweep makes the same trials), bayes ones
// from Optuna's ask; each trial becomes one queue item per seed (trialLaunch.ts).
import type { QueueStore } from '../queue/queueStore.ts';
import { randomConfigs } from './space.ts';
import type { SweepStudies } from './sweepStudies.ts';
import { trialItems } from './sweepTrials.ts';
import { RecipeMissingError, trialLaunch, type ResolvedRecipe } from './trialLaunch.ts';
import type { SweepRecord, TrialConfig, TrialRecord } from './types.ts';

export interface FillContext {
  readonly queue: QueueStore;
  readonly sweep: SweepRecord;
  readonly cwd: string;
  /** The queue pool the items go to ('' : the editor windows'). */
  readonly pool?: string;
  readonly resolveRecipe?: (name: string) => ResolvedRecipe | undefined;
}

/** Trial `number`'s configuration. Bayes asks the sweep's study (started with `trials` replayed when needed). */
export async function nextTrialConfig(
  sweep: SweepRecord,
  number: number,
  sources: { grid: () => readonly TrialConfig[]; studies: SweepStudies; trials: readonly TrialRecord[] },
): Promise<TrialConfig> {
  const spec = sweep.spec;
  if (spec.method === 'grid') {
    const config = sources.grid()[number];
    if (!config) throw new Error(`the grid has no configuration ${number}`);
    return { ...config, number };
  }
  if (spec.method === 'random') {
    const config = randomConfigs(spec, number, 1)[0];
    if (!config) throw new Error(`no random configuration ${number}`);
    return { ...config, number };
  }
  const study = await sources.studies.get(sweep, sources.trials);
  const asked = await study.driver.ask();
  study.numbers.set(number, asked.optunaNumber);
  return { number, params: asked.params, optunaNumber: asked.optunaNumber };
}

/** Queues the trial's items (one per seed, or one when the sweep has no seeds) that are not queued yet. */
export function queueTrialItems(ctx: FillContext, trial: TrialRecord): void {
  const { sweep, queue } = ctx;
  const spec = sweep.spec;
  const program = spec.program;
  const recipe = program.kind === 'recipe' ? ctx.resolveRecipe?.(program.recipe) : undefined;
  if (program.kind === 'recipe' && !recipe) throw new RecipeMissingError(program.recipe);
  const existing = new Set(trialItems(queue, sweep.sweepId, trial.number).map((i) => i.seed ?? null));
  const seeds: (number | undefined)[] = spec.seeds.length > 0 ? [...spec.seeds] : [undefined];
  const config: TrialConfig = { number: trial.number, params: trial.params, ...(trial.optunaNumber !== undefined ? { optunaNumber: trial.optunaNumber } : {}) };
  for (const seed of seeds) {
    if (existing.has(seed ?? null)) continue;
    const launch = trialLaunch(spec, config, seed, {
      cwd: ctx.cwd,
      experimentName: spec.experiment ?? spec.name,
      target: sweep.target,
      sweepId: sweep.sweepId,
      parentRunId: sweep.parentRunId,
      ...(recipe ? { recipe } : {}),
    });
    queue.enqueue(launch, {
      label: `${spec.name} #${trial.number}${seed !== undefined ? ` seed ${seed}` : ''}`,
      sweepId: sweep.sweepId,
      trialNumber: trial.number,
      pool: ctx.pool ?? sweep.pool,
      ...(seed !== undefined ? { seed } : {}),
    });
  }
}

/** Queues the seeds an open trial has no item for yet (a crash between its enqueues). */
export function queueMissingSeeds(ctx: FillContext, trial: TrialRecord): void {
  const expected = Math.max(1, ctx.sweep.spec.seeds.length);
  if (trialItems(ctx.queue, ctx.sweep.sweepId, trial.number).length < expected) queueTrialItems(ctx, trial);
}
