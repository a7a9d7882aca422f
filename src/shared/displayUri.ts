// A server address as it may be printed: CI keeps what a command prints (logs, uploaded report
// artifacts), and a tracking URI can carry a user and password (https://user:pass@host) or a
// token in its query. Only the scheme, host and port are shown.

/** `scheme://host[:port]` of `uri`, without user info, path, query or fragment; a placeholder when it does not parse. */
export function displayUri(uri: string): string {
  try {
    const url = new URL(uri);
    return url.host ? `${url.protocol}//${url.host}` : url.protocol;
  } catch {
    return '(a tracking URI that does not parse)';
  }
}
