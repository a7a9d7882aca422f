// The one way to turn anything thrown into text for a person. Pure and import-free, so every
// layer (core, protocol, host, cli, webviews) can use it.

/** The message of an Error (or of any object with a string `message`), else the value as text. Never throws. */
export function errorMessage(err: unknown): string {
  try {
    if (typeof err === 'string') return err;
    if (err instanceof Error) return err.message || err.name;
    if (typeof err === 'object' && err !== null) {
      const message = (err as { message?: unknown }).message;
      if (typeof message === 'string' && message) return message;
    }
    return String(err);
  } catch {
    // A throwing `toString`, an object without a prototype, a revoked Proxy…
    return 'Unknown error';
  }
}

/** The first line of `errorMessage(err)`, trimmed: for one-line notes and log entries. */
export function errorFirstLine(err: unknown): string {
  return errorMessage(err).split('\n')[0]?.trim() ?? '';
}
