// The FEEL fast paths of engine/feel.ts answer exactly what feelin answers.
import { expect } from 'chai';
import { evalFeel } from '../../engine/feel';

describe('engine: FEEL comparison fast path', () => {
  it("`name = literal` / `name != literal` give feelin's result for every kind of value", () => {
    const exprs = [
      '=a = "X"',
      '=a != "X"',
      '=a = true',
      '=a = false',
      '=a != true',
      '=a = 3',
      '=a = 3.0',
      '=a != -2.5',
      '=a = "X Y"',
      '=a="X"',
      '= a  =  "X" ',
    ];
    const values: unknown[] = ['X', 'Y', 'X Y', '', true, false, 3, -2.5, 0, null, undefined, [1], { a: 1 }, 'true', '3'];
    let compared = 0;
    for (const e of exprs)
      for (const v of values) {
        const vars: Record<string, unknown> = v === undefined ? {} : { a: v };
        const run = (x: string) => {
          try {
            return evalFeel(x, vars, Date.now());
          } catch {
            return 'error';
          }
        };
        // `(...) and true` is not of the fast-path shape: feelin evaluates it, with the same truth value
        expect(run(e), `${e} with a = ${JSON.stringify(v)}`).to.deep.equal(run(`=(${e.trim().slice(1)}) and true`));
        compared++;
      }
    expect(compared).to.equal(exprs.length * values.length);
    expect(evalFeel('=a = "X"', { a: 'X' }, 0)).to.equal(true);
    expect(evalFeel('=a != "X"', { a: 'X' }, 0)).to.equal(false);
    expect(evalFeel('=a = 3', { a: 3 }, 0)).to.equal(true);
  });
});
