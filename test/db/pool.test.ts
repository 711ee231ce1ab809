import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { MYSQL_PREPARED_STATEMENT_CACHE } from '../../db/data-source';
import { isMysql } from '../../db/transaction';
import { closeTestDataSource, openTestDataSource } from '../support/db';

describe('db/data-source: MySQL connections stay small', () => {
  let ds: DataSource;
  before(async () => (ds = await openTestDataSource()));
  after(async () => closeTestDataSource(ds));

  it("each pooled connection's prepared-statement cache is sized by MYSQL_PREPARED_STATEMENT_CACHE, not mysql2's 16,000 slots", async function () {
    if (!isMysql(ds)) this.skip(); // a mysql2 pool exists only on MySQL/MariaDB
    // the raw mysql2 connection behind a pooled one: its LRU preallocates `max` slots
    const conn = await (
      ds.driver as unknown as { obtainMasterConnection(): Promise<{ _statements: { max: number }; release(): void }> }
    ).obtainMasterConnection();
    try {
      expect(conn._statements.max).to.equal(MYSQL_PREPARED_STATEMENT_CACHE);
      expect(MYSQL_PREPARED_STATEMENT_CACHE).to.be.below(1000);
    } finally {
      conn.release();
    }
  });
});
