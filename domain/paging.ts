/** Paging shared by every list service (matches api/services.ts Page / PageOf). */
export interface Page {
  limit: number;
  offset: number;
}
export interface PageOf<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
export const MAX_PAGE_SIZE = 200;
export function normalizePage(p: Partial<Page> = {}): Page {
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(Number(p.limit ?? 50)) || 50));
  const offset = Math.max(0, Math.trunc(Number(p.offset ?? 0)) || 0);
  return { limit, offset };
}
