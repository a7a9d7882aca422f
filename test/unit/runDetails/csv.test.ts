import assert from 'node:assert/strict';
import { guessDelimiter, parseCsv } from '../../../src/core/runDetails/csv.ts';

describe('core/runDetails: parseCsv', () => {
  it('reads plain rows, with or without a trailing newline, CRLF or LF', () => {
    assert.deepEqual(parseCsv('a,b\n1,2\n').rows, [['a', 'b'], ['1', '2']]);
    assert.deepEqual(parseCsv('a,b\r\n1,2').rows, [['a', 'b'], ['1', '2']]);
    assert.deepEqual(parseCsv('a,b\r1,2\r').rows, [['a', 'b'], ['1', '2']]);
    assert.deepEqual(parseCsv('').rows, []);
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields', () => {
    const { rows } = parseCsv('name,comment\n"Smith, Ada","said ""hi"""\nx,"two\nlines"\n"a\r\nb",""\n');
    assert.deepEqual(rows, [
      ['name', 'comment'],
      ['Smith, Ada', 'said "hi"'],
      ['x', 'two\nlines'],
      ['a\r\nb', ''],
    ]);
  });

  it('keeps empty fields, a lone empty quoted field, and stray quotes inside unquoted fields', () => {
    assert.deepEqual(parseCsv(',,\n').rows, [['', '', '']]);
    assert.deepEqual(parseCsv('""').rows, [['']]);
    assert.deepEqual(parseCsv('5" screen,x').rows, [['5" screen', 'x']]);
  });

  it('skips blank lines and a byte-order mark', () => {
    assert.deepEqual(parseCsv('\ufeffa,b\n\n1,2\n\n').rows, [['a', 'b'], ['1', '2']]);
  });

  it('stops after maxRows and says there were more', () => {
    const text = Array.from({ length: 10 }, (_, i) => `${i},"q\n${i}"`).join('\n');
    const table = parseCsv(text, { maxRows: 3 });
    assert.equal(table.truncated, true);
    assert.deepEqual(table.rows, [['0', 'q\n0'], ['1', 'q\n1'], ['2', 'q\n2']]);
    assert.equal(parseCsv(text, { maxRows: 10 }).truncated, false);
    assert.equal(parseCsv(text, { maxRows: 10 }).rows.length, 10);
  });

  it('an unterminated quote runs to the end of the text', () => {
    assert.deepEqual(parseCsv('a,"b\nc').rows, [['a', 'b\nc']]);
  });

  it('takes another delimiter, and guesses it from the name or the first line', () => {
    assert.deepEqual(parseCsv('a;b\n"1;2";3', { delimiter: ';' }).rows, [['a', 'b'], ['1;2', '3']]);
    assert.equal(guessDelimiter('x.tsv', 'a,b,c'), '\t');
    assert.equal(guessDelimiter('x.csv', 'a;b;c\n1,2'), ';');
    assert.equal(guessDelimiter('x.csv', 'a|b|c'), '|');
    assert.equal(guessDelimiter('x.csv', 'single'), ',');
  });
});
