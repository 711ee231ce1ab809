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

describe('engine: FEEL path fast path and the lazy wall clock', () => {
  it("`a.b.c` gives feelin's result for contexts, lists, missing names, nulls and scalars", () => {
    const exprs = ['=sla.review.dueAt', '=sla.review', '=a.b', '=a.b.c', '=a.length', '=a.in'];
    const values: unknown[] = [
      { review: { dueAt: '2026-10-10T23:59:59+08:00', remindAt: 'x' } },
      { review: null },
      {},
      { b: { c: [1, 2] } },
      { b: [{ c: 1 }, { c: 2 }] },
      [{ b: 1 }, { b: 2 }],
      { b: 0, c: false },
      'text',
      3,
      null,
      undefined,
    ];
    let compared = 0;
    for (const e of exprs)
      for (const v of values) {
        const vars: Record<string, unknown> = v === undefined ? {} : { a: v, sla: v };
        const run = (x: string) => {
          try {
            return evalFeel(x, vars, Date.now());
          } catch {
            return 'error';
          }
        };
        // `(a.b)` is not of the fast-path shape: feelin evaluates it
        expect(run(e), `${e} with ${JSON.stringify(v)}`).to.deep.equal(run(`=(${e.slice(1)})`));
        compared++;
      }
    expect(compared).to.equal(exprs.length * values.length);
    expect(evalFeel('=sla.review.dueAt', { sla: { review: { dueAt: 'D' } } }, 0)).to.equal('D');
  });

  it('now() and today() in the engine time zone (formatted only when called)', () => {
    const t = Date.parse('2026-12-31T17:30:00Z'); // 1 January 2027, 01:30 in Beijing
    expect(evalFeel('=string(today())', {}, t, false, 'Asia/Shanghai')).to.equal('2027-01-01');
    expect(evalFeel('=string(today())', {}, t)).to.equal('2026-12-31');
    expect(evalFeel('=string(now())', {}, t, false, 'Asia/Shanghai')).to.match(/^2027-01-01T01:30:00(@Asia\/Shanghai|\+08:00)/);
    expect(evalFeel('=x + 1', { x: 1 }, t, false, 'Asia/Shanghai')).to.equal(2);
  });
});
