/**
 * When an implementation request is due: the time it was sent plus the SLA (the ISO-8601 duration the
 * reminder timer of the provisioning model waits, expense-contract.remind-sla). Measured against the
 * business clock by the caller, never the browser's.
 */
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function slaDueAt(requestedAt: Date | null, slaDuration: string | null): Date | null {
  if (!requestedAt || !slaDuration) return null;
  const m = DURATION.exec(slaDuration);
  if (!m || slaDuration === 'P' || slaDuration.endsWith('T')) return null;
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  const ms = ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
  return new Date(requestedAt.getTime() + ms);
}
