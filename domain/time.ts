/** Business time: Asia/Shanghai (UTC+8, no DST). Days are 'YYYY-MM-DD', instants JS Dates in UTC. */
import { BUSINESS_UTC_OFFSET } from './vocabulary.js';

const OFFSET_MS = 8 * 3600_000;

export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}
export function shanghaiYear(at: Date): number {
  return Number(shanghaiDay(at).slice(0, 4));
}
/** 'YYYY-MM' of the instant in Shanghai */
export function shanghaiMonth(at: Date): string {
  return shanghaiDay(at).slice(0, 7);
}
/** ISO-8601 with +08:00 for a day and a wall-clock time 'HH:MM:SS' */
export function isoAt(day: string, time: string): string {
  return `${day}T${time}${BUSINESS_UTC_OFFSET}`;
}
export const DAY_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export function isValidDay(s: unknown): s is string {
  if (typeof s !== 'string' || !DAY_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
/** the month before 'YYYY-MM' */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
