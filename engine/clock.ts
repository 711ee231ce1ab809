// The engine's clock, with Camunda's clock control semantics (Orchestration Cluster REST API):
// - pin (PUT /v2/clock): the clock stands still at the given instant until it is pinned again or reset;
//   any instant may be pinned, earlier or later than now;
// - add (POST /v2/clock/add, Camunda 8.11): moves the clock by an offset; a pinned clock stays pinned at
//   the pinned instant plus the offset, an unpinned one keeps ticking from its new time;
// - reset (POST /v2/clock/reset): back to the system clock, ticking in real time.
// The state lives in the engine's meta record, so a restarted engine keeps a pinned clock.

export interface ClockState {
  /** ms added to the system clock while it ticks */
  clockOffset: number;
  /** the instant the clock is pinned at (epoch ms); absent or null while it ticks */
  clockPinnedAt?: number | null;
}

export class EngineClock {
  constructor(
    private readonly state: () => ClockState,
    private readonly system: () => number = Date.now,
  ) {}

  now(): number {
    const s = this.state();
    return s.clockPinnedAt ?? this.system() + s.clockOffset;
  }

  get pinned(): boolean {
    return (this.state().clockPinnedAt ?? null) !== null;
  }

  pin(timestamp: number): void {
    this.state().clockPinnedAt = timestamp;
  }

  add(ms: number): void {
    const s = this.state();
    if (s.clockPinnedAt !== undefined && s.clockPinnedAt !== null) s.clockPinnedAt += ms;
    else s.clockOffset += ms;
  }

  reset(): void {
    const s = this.state();
    s.clockPinnedAt = null;
    s.clockOffset = 0;
  }
}
