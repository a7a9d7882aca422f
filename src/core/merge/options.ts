// Merge options from partial input (CLI flags, settings): unknown or malformed values fall back to
// the defaults rather than failing, as the diff's resolveDiffOptions does.
import { DEFAULT_MERGE_OPTIONS, OUTPUT_POLICIES, type MergeOptions, type OutputPolicy } from './model.ts';

export function resolveMergeOptions(options: Partial<MergeOptions> = {}): MergeOptions {
  const resolved: MergeOptions = { ...DEFAULT_MERGE_OPTIONS };
  if (typeof options.autoResolveExecutionCounts === 'boolean') resolved.autoResolveExecutionCounts = options.autoResolveExecutionCounts;
  if (typeof options.autoResolveVolatileMetadata === 'boolean') resolved.autoResolveVolatileMetadata = options.autoResolveVolatileMetadata;
  if (typeof options.ignoreWhitespace === 'boolean') resolved.ignoreWhitespace = options.ignoreWhitespace;
  if (OUTPUT_POLICIES.includes(options.outputs as OutputPolicy)) resolved.outputs = options.outputs as OutputPolicy;
  return resolved;
}
