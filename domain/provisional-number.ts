/**
 * Late numbering: a record is inserted under a unique stand-in number, and the gap-free number
 * (numbering.ts nextNumber, whose document_sequence row lock is held until commit) is allocated and
 * written as the transaction's last step, so the lock is held for one UPDATE and the commit only,
 * not for every insert after the allocation. The stand-in never leaves the transaction: it is
 * replaced before commit, and a rollback discards both (no number is lost or skipped).
 */
export function provisionalNumber(id: string): string {
  // '~' sorts after every real prefix and never parses as a number; fits the 32-character columns
  return `~${id.replace(/-/g, '').slice(0, 31)}`;
}
