// Setting a launch up for data observation: the bootstrap written into the run's spool folder (a
// few kB, before the spawn), and the variables that tell it where to write its record and which
// folders are Labbook's own. Notebooks: the same hook as an IPython startup file, which the kernel
// runs before the first cell, in an IPYTHONDIR of the run's own (so the user's IPython profile is
// not used by tracked notebook runs).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OBSERVE_BOOTSTRAP, OBSERVE_BOOTSTRAP_NAME, OBSERVE_ENV, OBSERVE_KERNEL_STARTUP } from './observeBootstrap.ts';

export const OBSERVE_RECORD_NAME = 'data.jsonl';

export interface PreparedObservation {
  /** The bootstrap to run the script with. */
  readonly bootstrap: string;
  /** Where the bootstrap writes its JSON lines. */
  readonly recordFile: string;
}

/** Writes the bootstrap into `spool` and adds its variables to `env` (mutated: it is the child's environment). */
export function prepareObservation(spool: string, env: Record<string, string>, skip: readonly string[]): PreparedObservation {
  const bootstrap = path.join(spool, OBSERVE_BOOTSTRAP_NAME);
  const recordFile = path.join(spool, OBSERVE_RECORD_NAME);
  writeFileSync(bootstrap, OBSERVE_BOOTSTRAP, 'utf8');
  env[OBSERVE_ENV.record] = recordFile;
  env[OBSERVE_ENV.skip] = skip.join(path.delimiter);
  return { bootstrap, recordFile };
}

/** The kernel's side for notebook launches: IPYTHONDIR with the startup file, and the record's variables. */
export function prepareKernelObservation(spool: string, env: Record<string, string>, skip: readonly string[]): PreparedObservation {
  const ipythonDir = path.join(spool, 'ipython');
  const startup = path.join(ipythonDir, 'profile_default', 'startup');
  mkdirSync(startup, { recursive: true });
  const bootstrap = path.join(startup, '00-labbook-observe.py');
  const recordFile = path.join(spool, OBSERVE_RECORD_NAME);
  writeFileSync(bootstrap, OBSERVE_KERNEL_STARTUP, 'utf8');
  env['IPYTHONDIR'] = ipythonDir;
  env[OBSERVE_ENV.record] = recordFile;
  env[OBSERVE_ENV.skip] = skip.join(path.delimiter);
  return { bootstrap, recordFile };
}
