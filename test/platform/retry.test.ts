/** platform/retry.ts: what the one retry policy retries, how often, and when a delivery is Zeebe's last. */
import { expect } from 'chai';
import { isLastDelivery, isRolledBackTransaction, withRetry, type RetryPolicy } from '../../platform/retry';

const policy: RetryPolicy = { attempts: 3, retryable: (e) => (e as Error).message === 'again', pauseMs: () => 0 };

describe('platform: retry policy', () => {
  it('runs a retryable failure `attempts` times in all, then throws it', async () => {
    let runs = 0;
    const err = await withRetry(policy, async () => {
      runs++;
      throw new Error('again');
    }).catch((e: Error) => e);
    expect(runs).to.equal(3);
    expect((err as Error).message).to.equal('again');
  });
  it('throws any other failure at once, and returns the first success', async () => {
    let runs = 0;
    await withRetry(policy, async () => {
      runs++;
      throw new Error('no');
    }).catch(() => undefined);
    expect(runs).to.equal(1);
    let n = 0;
    expect(await withRetry(policy, async () => (++n < 2 ? Promise.reject(new Error('again')) : n))).to.equal(2);
  });
  it('a rolled-back transaction: MySQL deadlock and lock wait time-out, SQLite busy; nothing else', () => {
    expect(isRolledBackTransaction({ driverError: { code: 'ER_LOCK_DEADLOCK', errno: 1213 } })).to.equal(true);
    expect(isRolledBackTransaction({ errno: 1205 })).to.equal(true);
    expect(isRolledBackTransaction({ code: 'SQLITE_BUSY' })).to.equal(true);
    expect(isRolledBackTransaction({ driverError: { code: 'ER_DUP_ENTRY', errno: 1062 } })).to.equal(false);
    expect(isRolledBackTransaction(new Error('ECONNRESET'))).to.equal(false);
  });
  it("Zeebe's last delivery is the one with one retry left", () => {
    expect(isLastDelivery({ retries: 3 })).to.equal(false);
    expect(isLastDelivery({ retries: 2 })).to.equal(false);
    expect(isLastDelivery({ retries: 1 })).to.equal(true);
    expect(isLastDelivery({ retries: 0 })).to.equal(true);
  });
});
