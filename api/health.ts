/** Readiness of the API: the database answers and every migration is applied. */
import type { DataSource } from 'typeorm';
import type { HealthReport } from './services';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createHealth(ds: DataSource, timeoutMs = 2000): { ready(): Promise<HealthReport> } {
  return {
    async ready() {
      const checks: HealthReport['checks'] = {};
      try {
        await within(timeoutMs, ds.query('SELECT 1'));
        checks.database = { ok: true };
      } catch (e) {
        checks.database = { ok: false, detail: (e as Error).message };
      }
      if (checks.database.ok) {
        try {
          const pending = await within(timeoutMs, ds.showMigrations());
          checks.migrations = pending ? { ok: false, detail: 'migrations pending' } : { ok: true };
        } catch (e) {
          checks.migrations = { ok: false, detail: (e as Error).message };
        }
      } else checks.migrations = { ok: false, detail: 'database unreachable' };
      return { ok: Object.values(checks).every((c) => c.ok), checks };
    },
  };
}
