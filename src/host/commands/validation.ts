import { errorMessage } from '../../shared/errorMessage.ts';

/**
 * An input box's `validateInput` from a parser that throws on bad input: the parser's message is
 * what the user sees under the box, nothing when it parses.
 */
export function problemFrom(parse: (value: string) => unknown): (value: string) => string | undefined {
  return (value) => {
    try {
      parse(value);
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  };
}
