import assert from 'node:assert/strict';
import { decodeHead, decodeTail, looksBinary } from '../../../src/core/runDetails/boundedText.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('core/runDetails: bounded text', () => {
  it('cuts the head at a character boundary, never inside a UTF-8 sequence', () => {
    const text = 'ab€cd'; // € is 3 bytes: a b [e2 82 ac] c d
    assert.deepEqual(decodeHead(bytes(text), 100), { text, truncated: false });
    assert.deepEqual(decodeHead(bytes(text), 3), { text: 'ab', truncated: true });
    assert.deepEqual(decodeHead(bytes(text), 4), { text: 'ab', truncated: true });
    assert.deepEqual(decodeHead(bytes(text), 5), { text: 'ab€', truncated: true });
  });

  it('takes the tail from the start of a line when one starts near the cut', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const tail = decodeTail(bytes(log), 30);
    assert.equal(tail.truncated, true);
    assert.ok(tail.text.startsWith('line 9'), tail.text);
    assert.ok(tail.text.endsWith('line 99'));
    assert.ok(!tail.text.includes('\ufffd'));
    assert.deepEqual(decodeTail(bytes('€€'), 4), { text: '€', truncated: true });
  });

  it('tells binary from text by a NUL byte', () => {
    assert.equal(looksBinary(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00])), true);
    assert.equal(looksBinary(bytes('plain text ünïcödé')), false);
  });
});
