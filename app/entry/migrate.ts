/** `npm run migrate`: applies pending migrations to DATABASE_URL (default: the local SQLite file). */
import { loadConfig } from '../../platform/config/index';
import { createDataSource, migrate } from '../../db/index';

async function main(): Promise<void> {
  const config = loadConfig();
  const ds = createDataSource(config.DATABASE_URL);
  await ds.initialize();
  try {
    const applied = await migrate(ds);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema up to date');
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
