import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, formatNumber, formatSignedPercent } from '../../../src/shared/format.ts';

describe('shared/format: one rendering of numbers and durations for the trees and the panels', () => {
  it('prints integers in full and other numbers to 6 significant digits without float noise', () => {
    assert.equal(formatNumber(42), '42');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(-0), '0');
    assert.equal(formatNumber(-17), '-17');
    assert.equal(formatNumber(123_456_789_012), '123456789012');
    assert.equal(formatNumber(0.123456), '0.123456');
    assert.equal(formatNumber(0.1234567), '0.123457');
    assert.equal(formatNumber(0.1 + 0.2), '0.3');
    assert.equal(formatNumber(0.9), '0.9');
    assert.equal(formatNumber(-2.5), '-2.5');
    assert.equal(formatNumber(0.0913242), '0.0913242');
    assert.equal(formatNumber(1234.56789), '1234.57');
  });

  it('switches to exponents only for very small or very large values, trailing zeros dropped', () => {
    assert.equal(formatNumber(1.5e-7), '1.5e-7');
    assert.equal(formatNumber(-1.23456789e-7), '-1.23457e-7');
    assert.equal(formatNumber(0.0001), '0.0001');
    assert.equal(formatNumber(0.00009999), '9.999e-5');
    assert.equal(formatNumber(2.5e9 + 0.5), '2.5e+9');
    assert.equal(formatNumber(1e21), '1e+21');
    assert.equal(formatNumber(Number.MAX_VALUE), '1.79769e+308');
    assert.equal(formatNumber(Number.MIN_VALUE), '5e-324');
  });

  it('names what is not a finite number, as a number or as its JSON text', () => {
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatNumber(Number.POSITIVE_INFINITY), '∞');
    assert.equal(formatNumber(Number.NEGATIVE_INFINITY), '-∞');
    assert.equal(formatNumber('NaN'), 'NaN');
    assert.equal(formatNumber('Infinity'), '∞');
    assert.equal(formatNumber('-Infinity'), '-∞');
  });

  it('keeps every finite number within 6 significant digits of its value', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
      const text = formatNumber(value);
      assert.match(text, /^-?\d+(\.\d+)?(e[-+]\d+)?$/);
      const back = Number(text);
      if (value === 0) return assert.equal(back, 0);
      assert.ok(Math.abs(back - value) <= Math.abs(value) * 5e-6, `${value} read as ${text}`);
    }), { numRuns: 2000 });
  });

  it('shows durations in at most two units, without zero padding', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(999.4), '999 ms');
    assert.equal(formatDuration(3000), '3.0 s');
    assert.equal(formatDuration(3200), '3.2 s');
    assert.equal(formatDuration(42_000), '42 s');
    assert.equal(formatDuration(65_000), '1 min 5 s');
    assert.equal(formatDuration(245_000), '4 min 5 s');
    assert.equal(formatDuration(2 * 3600_000 + 600_000), '2 h 10 min');
    assert.equal(formatDuration(3 * 86_400_000 + 4 * 3600_000), '3 d 4 h');
  });

  it('carries a rounded-up unit into the next one: never "1000 ms", "60 s" or "60 min"', () => {
    assert.equal(formatDuration(999.6), '1.0 s');
    assert.equal(formatDuration(9960), '10 s');
    assert.equal(formatDuration(299_600), '5 min 0 s');
    assert.equal(formatDuration(59_600), '1 min 0 s');
    assert.equal(formatDuration(3_599_600), '1 h 0 min');
    assert.equal(formatDuration(48 * 3600_000 - 20_000), '2 d 0 h');
    fc.assert(fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (ms) => {
      const text = formatDuration(ms) ?? '';
      assert.match(text, /^(\d+ ms|\d\.\d s|\d+ s|\d+ min \d+ s|\d+ h \d+ min|\d+ d \d+ h)$/, `${ms} ms read as ${text}`);
      const [, first, , rest, restUnit] = /^(\d+) (\w+)(?: (\d+) (\w+))?$/.exec(text) ?? [];
      const limit = { ms: 1000, s: 60, min: 60, h: 24 };
      if (rest === undefined) assert.ok(Number(first) < limit[text.split(' ')[1] as keyof typeof limit] || text.includes('.'), `${ms} ms read as ${text}`);
      else assert.ok(Number(rest) < limit[restUnit as keyof typeof limit], `${ms} ms read as ${text}`);
    }), { numRuns: 2000 });
  });

  it('says nothing for an unknown duration', () => {
    assert.equal(formatDuration(null), null);
    assert.equal(formatDuration(-5), null);
    assert.equal(formatDuration(Number.NaN), null);
    assert.equal(formatDuration(Number.POSITIVE_INFINITY), null);
  });

  it('signs a percentage change and keeps at most two decimals', () => {
    assert.equal(formatSignedPercent(20), '+20%');
    assert.equal(formatSignedPercent(-19.999999), '-20%');
    assert.equal(formatSignedPercent(0), '+0%');
    assert.equal(formatSignedPercent(-0.054), '-0.05%');
  });
});
