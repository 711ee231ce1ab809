/**
 * The business clock: every "now" of a business date (record times, numbering years, deadlines, report
 * months) reads one of these, never `new Date()` behind the caller's back. Production: the system clock
 * (Camunda's engine clock is the system clock there). Tests and test-mode runs: the engine's clock, which
 * they pin with Camunda's `PUT /v2/clock`, so timers, job deadlines and the app agree on the date.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
