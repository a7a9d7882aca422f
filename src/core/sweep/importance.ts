// Parameter importance for the sweep panel: fANOVA through Optuna (FanovaImportanceEvaluator,
// seed 0, so the same trials give the same figures), over the sweep's finished trials replayed
// into a study, whatever method chose them. A well-kept implementation, not one of ours; the view
// says which method it was, or why there is none and what fixes it.
import type { ImportanceView } from '../../protocol/sweepTypes.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { checkOptuna, driverParams, OptunaDriver } from './optunaDriver.ts';
import type { SweepSpec, TrialRecord } from './types.ts';

export async function paramImportance(python: string, spec: SweepSpec, trials: readonly TrialRecord[]): Promise<ImportanceView> {
  const finished = trials.filter((t) => t.state === 'finished' && t.value !== undefined && Number.isFinite(t.value));
  if (finished.length < 2) {
    return { method: null, reason: `Parameter importance needs at least 2 finished trials with a value of ${spec.objective.metric}; this sweep has ${finished.length}.` };
  }
  const names = new Set(finished.flatMap((t) => Object.keys(t.params)).filter((name) => name in spec.parameters));
  if (names.size < 2) {
    return { method: null, reason: `Parameter importance compares parameters; this sweep varies ${names.size === 1 ? 'only one' : 'none'}.` };
  }
  const optuna = await checkOptuna(python);
  if (!optuna.ok) return { method: null, reason: optuna.message, fix: optuna.install };
  let driver: OptunaDriver | undefined;
  try {
    driver = await OptunaDriver.start(python, {
      direction: spec.objective.goal,
      sampler: 'random',
      seed: 0,
      params: driverParams(spec),
      trials: finished.map((t) => ({ key: t.number, params: t.params, state: 'complete' as const, value: t.value as number })),
    });
    const result = await driver.importance();
    if (result.values.length === 0) {
      return { method: null, reason: 'No parameter is set in every finished trial (conditional parameters), so fANOVA has nothing to compare.' };
    }
    return { method: `fANOVA (Optuna ${driver.version} FanovaImportanceEvaluator, seed 0)`, values: result.values, trials: result.trials };
  } catch (err) {
    return { method: null, reason: `Parameter importance could not be computed: ${errorMessage(err)}` };
  } finally {
    await driver?.close();
  }
}
