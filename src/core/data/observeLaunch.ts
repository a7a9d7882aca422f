// Setting a launch up for data observation: the bootstrap stub written into the run's spool folder
// (before the spawn; it imports the hook module kept beside the spools, whose bytecode Python caches), and the variables that tell it where to write its record and which
// folders are Labbook's own. Notebooks: the same hook as an IPython startup file, which the kernel
// runs before the first cell, in an IPYTHONDIR of the run's own (so the user's IPython profile is
// not used by tracked notebook runs).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateFolder } from '../system/privateFolder.ts';
import { writeWhenDifferent } from '../system/pythonScript.ts';
import { OBSERVE_BOOTSTRAP_NAME, OBSERVE_ENV, OBSERVE_HOOK_MODULE, OBSERVE_HOOK_MODULE_NAME, OBSERVE_KERNEL_STARTUP, observeBootstrap } from './observeBootstrap.ts';

export const OBSERVE_RECORD_NAME = 'data.jsonl';

export interface PreparedObservation {
  /** The bootstrap to run the script with. */
  readonly bootstrap: string;
  /** Where the bootstrap writes its JSON lines. */
  readonly recordFile: string;
}

/**
 * The hook module in a folder beside the runs' spools, named by its content, so Python compiles it
 * once and later runs load its cached bytecode. Written whole (a temp file renamed) when missing or
 * different, so runs starting together never import half a file.
 */
function hookModuleDir(spool: string): string {
  // A folder someone else owns (or can write to) is never used: this run gets a fresh private one.
  const dir = ensurePrivateFolder(path.join(path.dirname(spool), `observe-${createHash('sha256').update(OBSERVE_HOOK_MODULE).digest('hex').slice(0, 16)}`), 'labbook-observe-');
  writeWhenDifferent(path.join(dir, `${OBSERVE_HOOK_MODULE_NAME}.py`), OBSERVE_HOOK_MODULE);
  return dir;
}

/** Writes the bootstrap into `spool` (and the hook module beside the spools) and adds its variables to `env` (mutated: it is the child's environment). */
export function prepareObservation(spool: string, env: Record<string, string>, skip: readonly string[]): PreparedObservation {
  const bootstrap = path.join(spool, OBSERVE_BOOTSTRAP_NAME);
  const recordFile = path.join(spool, OBSERVE_RECORD_NAME);
  const hookDir = hookModuleDir(spool);
  writeFileSync(bootstrap, observeBootstrap(hookDir), 'utf8');
  env[OBSERVE_ENV.record] = recordFile;
  env[OBSERVE_ENV.skip] = [...skip, hookDir].join(path.delimiter);
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
