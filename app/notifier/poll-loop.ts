/**
 * One poller's loop: run `once` now and then every intervalMs after it finished (never two at a time);
 * a failed run is logged and tried again at the next tick. poll() runs it on demand (tests) and shares a
 * run already under way.
 */
import type { SenderLog } from './sender';

export interface PollLoop {
  poll(): Promise<number>;
  stop(): Promise<void>;
}

export function startPollLoop(name: string, once: () => Promise<number>, intervalMs: number, log?: SenderLog): PollLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  const poll = () => (running ??= once().finally(() => (running = null)));
  const tick = async () => {
    try {
      await poll();
    } catch (e) {
      log?.warn({ err: String((e as Error)?.message ?? e) }, `${name}: poll failed; retrying`);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, 0);
  return {
    poll,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
