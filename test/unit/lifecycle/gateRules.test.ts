// The gate rule parser: every documented form, the mistakes people make (each a GateRuleError
// naming the rule), and a property: any metric rule written from parts parses back to those parts.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compare, GateRuleError, needsChampion, parseGateRule, type GateOp } from '../../../src/core/lifecycle/gateRules.ts';

describe('core/lifecycle: gate rules', () => {
  it('reads metric rules against numbers and the champion in all their forms', () => {
    const target = (text: string) => {
      const rule = parseGateRule(text);
      assert.equal(rule.kind, 'metric', text);
      return rule.kind === 'metric' ? [rule.key, rule.op, rule.target] : [];
    };
    assert.deepEqual(target('metrics.rmse <= 0.5'), ['rmse', '<=', { kind: 'number', value: 0.5 }]);
    assert.deepEqual(target('metrics.val/loss<1e-3'), ['val/loss', '<', { kind: 'number', value: 0.001 }]);
    assert.deepEqual(target('metrics.rmse <= 1.0*champion'), ['rmse', '<=', { kind: 'champion', scale: 1, offset: 0 }]);
    assert.deepEqual(target('metrics.rmse <= champion * 1.02'), ['rmse', '<=', { kind: 'champion', scale: 1.02, offset: 0 }]);
    assert.deepEqual(target('metrics.acc >= champion - 0.01'), ['acc', '>=', { kind: 'champion', scale: 1, offset: -0.01 }]);
    assert.deepEqual(target('metrics.acc ≥ Champion + 2'), ['acc', '>=', { kind: 'champion', scale: 1, offset: 2 }]);
    assert.deepEqual(target('metrics.acc == champion'), ['acc', '=', { kind: 'champion', scale: 1, offset: 0 }]);
    assert.deepEqual(target('metrics.acc != -3'), ['acc', '!=', { kind: 'number', value: -3 }]);
  });

  it('reads smoke, data, params and tags rules', () => {
    assert.deepEqual(parseGateRule('  smoke   passed '), { text: 'smoke passed', kind: 'smokePassed' });
    assert.deepEqual(parseGateRule('Data not stale'), { text: 'Data not stale', kind: 'dataNotStale' });
    assert.deepEqual(parseGateRule('params.model = "ridge"'), { text: 'params.model = "ridge"', kind: 'field', field: 'params', key: 'model', op: '=', value: 'ridge' });
    assert.deepEqual(parseGateRule('tags.team != vision'), { text: 'tags.team != vision', kind: 'field', field: 'tags', key: 'team', op: '!=', value: 'vision' });
    assert.equal(needsChampion(['metrics.a < 1', 'smoke passed'].map(parseGateRule)), false);
    assert.equal(needsChampion(['metrics.a < champion'].map(parseGateRule)), true);
  });

  it('refuses bad rules with a GateRuleError that quotes the rule and says what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['rmse <= 1', /not a rule this gate knows/],
      ['metrics.rmse', /expected <op>/],
      ['metrics.rmse <= ', /expected <op>|nothing after/],
      ['metrics.rmse <== 1', /'= 1' is not a number/],
      ['metrics.rmse <= champ', /not a number or a form of champion/],
      ['metrics.rmse <= champion / 2', /not champion, champion \* N/],
      ['metrics.rmse <= 1e999', /not a finite number/],
      ['params.lr < 3', /compared as text: use = or !=/],
      ['smoke failed', /not a rule this gate knows/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseGateRule(text), (err: unknown) => err instanceof GateRuleError && err.message.includes(`"${text}"`) && message.test(err.message), text);
    }
  });

  it('parses any metric rule written from parts back to those parts, and never throws anything but GateRuleError', () => {
    const ops: [string, GateOp][] = [['<', '<'], ['<=', '<='], ['>', '>'], ['>=', '>='], ['=', '='], ['!=', '!=']];
    const key = fc.stringMatching(/^[A-Za-z0-9_\-./:]{1,20}$/);
    // -0 is written as 0, so it is left out.
    const value = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((n) => (n === 0 ? 0 : n));
    fc.assert(
      fc.property(key, fc.constantFrom(...ops), value, fc.constantFrom('number', 'times', 'plus', 'scaled'), (k, [opText, op], n, form) => {
        const right = form === 'number' ? String(n) : form === 'times' ? `champion * ${n}` : form === 'plus' ? `champion + ${Math.abs(n)}` : `${n}*champion`;
        const rule = parseGateRule(`metrics.${k} ${opText} ${right}`);
        assert.ok(rule.kind === 'metric');
        assert.deepEqual([rule.key, rule.op], [k, op]);
        const expected = form === 'number' ? { kind: 'number', value: n } : form === 'plus' ? { kind: 'champion', scale: 1, offset: Math.abs(n) } : { kind: 'champion', scale: n, offset: 0 };
        assert.deepEqual(rule.target, expected);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseGateRule(text);
        } catch (err) {
          assert.ok(err instanceof GateRuleError, String(err));
        }
      }),
    );
  });

  it('compares with each operator', () => {
    assert.deepEqual((['<', '<=', '>', '>=', '=', '!='] as GateOp[]).map((op) => compare(1, op, 1)), [false, true, false, true, true, false]);
    assert.deepEqual((['<', '<=', '>', '>=', '=', '!='] as GateOp[]).map((op) => compare(1, op, 2)), [true, true, false, false, false, true]);
  });
});
