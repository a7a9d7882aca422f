// JSON.parse's messages differ between engines and some carry no position at all ("Unexpected
// token 'x', "…" is not valid JSON"). When a parse has failed, this small scanner walks the text
// again to find where it stops being JSON, so every error names a line and column.

export interface JsonErrorPosition {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

class Stop extends Error {
  readonly offset: number;
  constructor(offset: number, reason: string) {
    super(reason);
    this.offset = offset;
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);

/** Where `text` first fails to be JSON, or undefined when it is valid. */
export function locateJsonError(text: string): JsonErrorPosition | undefined {
  let i = 0;
  const skip = () => {
    while (i < text.length && WS.has(text[i] as string)) i++;
  };
  const expect = (what: string): never => {
    throw new Stop(i, i >= text.length ? `unexpected end of input, expected ${what}` : `unexpected ${JSON.stringify(text[i])}, expected ${what}`);
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else expect('a value');
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) throw new Stop(i, 'unterminated string');
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) throw new Stop(i, 'control character in string');
      if (ch === 0x5c) {
        const esc = text[i + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i, 'bad \\u escape');
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i += 2;
        else throw new Stop(i, 'bad escape in string');
      } else i++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) expect('a value');
    else i += match[0].length;
  };
  const value = (): void => {
    skip();
    const ch = text[i];
    if (ch === '{') {
      i++;
      skip();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') expect('a property name in double quotes');
        string();
        skip();
        if (text[i] !== ':') expect("':'");
        i++;
        value();
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else expect("',' or '}'");
      }
    } else if (ch === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else expect("',' or ']'");
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else number();
  };
  try {
    value();
    skip();
    if (i < text.length) expect('the end of the document');
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) return undefined; // e.g. nesting deeper than the stack: no position to give
    return { offset: err.offset, ...lineColumn(text, err.offset), reason: err.message };
  }
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}
