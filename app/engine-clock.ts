/**
 * The business clock of a system whose local engine runs in test mode: the engine's clock, which tests
 * and demos pin or move (PUT /v2/clock, POST /engine/clock). In the same process it is read directly;
 * with the engine in a child process it is followed over REST: read once at start, then every
 * `refreshMs`, ticking locally in between unless the engine says its clock is pinned.
 */
import type { Clock } from '../domain/clock';

/** Camunda's PUT /v2/clock: the engine's clock stands still at `at` until it is pinned again or reset. */
export async function pinEngineClock(restAddress: string, at: Date, headers: Record<string, string> = {}): Promise<void> {
  const r = await fetch(`${restAddress}/v2/clock`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ timestamp: at.getTime() }),
  });
  if (r.status !== 204) throw new Error(`PUT /v2/clock: ${r.status} ${await r.text()}`);
}

export function inProcessEngineClock(engineNow: () => number): Clock {
  return { now: () => new Date(engineNow()) };
}

export interface FollowedClock extends Clock {
  /** reads the engine's clock now (after a move, so the next now() agrees at once) */
  sync(): Promise<void>;
  stop(): void;
}

export async function followEngineClock(restAddress: string, opts: { refreshMs?: number } = {}): Promise<FollowedClock> {
  let engineAt = Date.now();
  let localAt = engineAt;
  let pinned = false;
  const sync = async () => {
    const r = await fetch(`${restAddress}/engine/clock`);
    if (!r.ok) throw new Error(`engine clock: ${r.status} ${await r.text()}`);
    const b = (await r.json()) as { now: string; pinned?: boolean };
    engineAt = Date.parse(b.now);
    localAt = Date.now();
    pinned = b.pinned === true;
  };
  await sync();
  const timer = setInterval(() => void sync().catch(() => undefined), opts.refreshMs ?? 1000);
  timer.unref();
  return {
    now: () => new Date(pinned ? engineAt : engineAt + (Date.now() - localAt)),
    sync,
    stop: () => clearInterval(timer),
  };
}
