// What every `labbook` subcommand shares: its arguments read by node:util's parseArgs, and a
// UsageError (exit status 2, usage text printed) for anything it cannot read.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../shared/errorMessage.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict parsing with positionals; a bad option becomes a UsageError with node's message. */
export function parseCommandArgs<O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}
