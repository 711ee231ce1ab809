/** Two OS processes writing one SQLite file (api and workers in local mode): no lost or failed writes. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDataSource, initDatabase } from '../../db/index';

const run = promisify(execFile);

describe('db: SQLite shared by two processes', function () {
  this.timeout(60_000);
  it('concurrent read-then-write transactions from two processes all succeed and number gap-free (own temp file, whatever DATABASE_URL says)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-2proc-'));
    const url = `sqlite:${path.join(dir, 'ot.sqlite')}`;
    try {
      (await initDatabase(url)).destroy();
      const script = path.join(dir, 'writer.ts');
      fs.writeFileSync(
        script,
        `import { createDataSource, inTransaction } from ${JSON.stringify(path.resolve('db/index.ts'))};
import { nextSequence } from ${JSON.stringify(path.resolve('domain/numbering.ts'))};
(async () => {
  const ds = createDataSource(${JSON.stringify(url)});
  await ds.initialize();
  const got: number[] = [];
  for (let i = 0; i < 25; i++) {
    got.push(await inTransaction(ds, async (em) => {
      await em.query('SELECT COUNT(*) FROM calendar_year'); // a read first: the dangerous pattern
      await new Promise((r) => setTimeout(r, 3)); // let the other process commit in between
      return nextSequence(em, 'payment-basis', 2031);
    }));
  }
  await ds.destroy();
  console.log(JSON.stringify(got));
})().catch((e) => { console.error(e); process.exit(1); });
`,
      );
      const tsx = path.resolve('node_modules/.bin/tsx');
      const outs = await Promise.all([run(tsx, [script]), run(tsx, [script])]);
      const all = outs.flatMap((o) => JSON.parse(o.stdout.trim()) as number[]).sort((a, b) => a - b);
      expect(all).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
      const ds = createDataSource(url);
      await ds.initialize();
      expect(
        Number((await ds.query("SELECT last_value FROM document_sequence WHERE document_type = 'payment-basis'"))[0].last_value),
      ).to.equal(50);
      await ds.destroy();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
