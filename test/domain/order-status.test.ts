import { expect } from 'chai';
import { IllegalTransitionError } from '../../domain/errors';
import {
  ORDER_STATUS,
  ORDER_TRANSITIONS,
  STATUS_AFTER_CUSTOMER_DECISION,
  canTransition,
  transition,
  type OrderStatus,
} from '../../domain/order-status';
import { CUSTOMER_DECISION } from '../../domain/vocabulary';

describe('domain/order-status', () => {
  const allowed: [OrderStatus, OrderStatus][] = [
    ['SUBMITTED', 'CONFIRMED'],
    ['SUBMITTED', 'CHANGE_REQUESTED'],
    ['SUBMITTED', 'CANCELLED'],
    ['CHANGE_REQUESTED', 'SUBMITTED'],
    ['CHANGE_REQUESTED', 'CANCELLED'],
    ['CONFIRMED', 'CONTRACT_SIGNED'],
    ['CONFIRMED', 'CANCELLED'],
    ['CONTRACT_SIGNED', 'DELIVERED'],
    ['DELIVERED', 'COMPLETED'],
  ];

  it('the table holds exactly the documented transitions', () => {
    const inTable = ORDER_STATUS.flatMap((from) => ORDER_TRANSITIONS[from].map((to) => `${from}→${to}`)).sort();
    expect(inTable).to.deep.equal(allowed.map(([a, b]) => `${a}→${b}`).sort());
  });

  it('transition() allows every listed pair and refuses every other one with current and requested state', () => {
    for (const from of ORDER_STATUS) {
      for (const to of ORDER_STATUS) {
        const ok = allowed.some(([a, b]) => a === from && b === to);
        expect(canTransition(from, to), `${from}→${to}`).to.equal(ok);
        if (ok) {
          expect(transition({ status: from, id: 'x' }, to)).to.deep.equal({ status: to, id: 'x' });
        } else {
          let err: unknown;
          try {
            transition({ status: from }, to, 'business-order');
          } catch (e) {
            err = e;
          }
          expect(err, `${from}→${to}`).to.be.instanceOf(IllegalTransitionError);
          expect(err).to.deep.include({ current: from, requested: to, entity: 'business-order', code: 'ILLEGAL_TRANSITION' });
        }
      }
    }
  });

  it('COMPLETED and CANCELLED are final; an unknown target is refused', () => {
    expect(ORDER_TRANSITIONS.COMPLETED).to.deep.equal([]);
    expect(ORDER_TRANSITIONS.CANCELLED).to.deep.equal([]);
    expect(() => transition({ status: 'SUBMITTED' as OrderStatus }, 'ARCHIVED' as OrderStatus)).to.throw(IllegalTransitionError);
  });

  it('maps every customer decision to a reachable status from SUBMITTED', () => {
    for (const d of CUSTOMER_DECISION) expect(canTransition('SUBMITTED', STATUS_AFTER_CUSTOMER_DECISION[d]), d).to.equal(true);
    expect(STATUS_AFTER_CUSTOMER_DECISION.DECLINED).to.equal('CANCELLED');
  });
});
