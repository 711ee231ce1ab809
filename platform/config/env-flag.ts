/**
 * An on/off switch of the workers from the environment (WORKER_GROUP_COMMIT, WORKER_JOB_STREAM): unset or
 * empty → `fallback`; true/1/on/yes or false/0/off/no in any case; anything else throws, naming the
 * variable, so a typo stops the start instead of silently meaning the default.
 */
export function envFlag(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['true', '1', 'on', 'yes'].includes(raw)) return true;
  if (['false', '0', 'off', 'no'].includes(raw)) return false;
  throw new Error(`${name}: true or false, got ${JSON.stringify(env[name])}`);
}
