// Pure and import-free, so every layer (core, protocol, host, webviews) reads untrusted JSON with the same test.

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
