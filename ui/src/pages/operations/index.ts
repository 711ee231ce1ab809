/** 运维 (admin): #/operations, #/operations/definitions, #/operations/instances/:key */
import { definitionsPage } from './definitions';
import { operationsInstancePage } from './instance';
import { operationsOverview } from './list';

export async function operationsPage(seg: string[], params: URLSearchParams): Promise<void> {
  if (seg[1] === 'definitions') return definitionsPage();
  if (seg[1] === 'instances' && seg[2]) return operationsInstancePage(seg[2]);
  return operationsOverview(params);
}
