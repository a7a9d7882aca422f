// The checks' data engine over the profiler (DuckDB) and the drift engine, loaded on first use so
// that reading the checks file (and `labbook check` on a bad one) never loads the native engine.
import type { ReadableStore } from '../store/trackingStore.ts';
import type { CheckEngine } from './runChecks.ts';

export interface CheckEngineDeps {
  /** The store drift references (run ids, `models:/NAME@ALIAS`) are read from; opened only for those. */
  readonly store?: () => Promise<ReadableStore | undefined>;
}

export function createCheckEngine(deps: CheckEngineDeps = {}): CheckEngine {
  return {
    profile: async (file) => (await import('../profile/profileFile.ts')).profileFile(file),
    repeatedValues: async (file, column) => (await import('./columnQueries.ts')).repeatedValues(file, column),
    disallowedValues: async (file, column, allowed) => (await import('./columnQueries.ts')).disallowedValues(file, column, allowed),
    drift: async (reference, file, options, cwd) => {
      const [{ driftBetween }, { readTable }] = await Promise.all([import('../drift/driftSources.ts'), import('../profile/readTable.ts')]);
      const store = reference.kind === 'file' ? undefined : await deps.store?.();
      return driftBetween(reference, { kind: 'file', path: file }, { cwd, readTable, ...(store ? { store } : {}) }, options);
    },
  };
}
