// Decoding artifacts for display without reading more than is shown: the head or the tail of at
// most `limit` bytes, cut at a UTF-8 character boundary, and a sniff for binary content.

/** Whether bytes look like binary data rather than text: a NUL in the first 8 KB. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8192);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** The first `limit` bytes as text, never splitting a UTF-8 sequence. */
export function decodeHead(bytes: Uint8Array, limit: number): { text: string; truncated: boolean } {
  if (bytes.length <= limit) return { text: new TextDecoder().decode(bytes), truncated: false };
  let end = limit;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return { text: new TextDecoder().decode(bytes.subarray(0, end)), truncated: true };
}

/** The last `limit` bytes as text, starting after a line break when one is near, so no line is cut. */
export function decodeTail(bytes: Uint8Array, limit: number): { text: string; truncated: boolean } {
  if (bytes.length <= limit) return { text: new TextDecoder().decode(bytes), truncated: false };
  let start = bytes.length - limit;
  while (start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start++;
  const newline = bytes.indexOf(0x0a, start);
  if (newline !== -1 && newline - start < 4096) start = newline + 1;
  return { text: new TextDecoder().decode(bytes.subarray(start)), truncated: true };
}
