/** The routes of 版本与更正 versions and corrections of §9 records, with the roles that may call each. */
import type { Role } from '../../domain/vocabulary';
import { Reply, route, found, type RouteSpec } from '../route';
import { actorOf } from '../services';
import type { JsonObject } from '../schema';
import { STAFF } from '../access';
import * as S from './schemas';

const CORRECTORS: Role[] = ['customer-manager', 'contract-admin', 'admin'];

export const RECORDS_ROUTES: RouteSpec[] = [
  // ---------------------------------------------------------------- audit 版本与更正 (§9 records)
  route<{ kind: string; id: string }>({
    id: 'listRecordVersions',
    method: 'get',
    path: '/records/:kind/:id/versions',
    roles: STAFF,
    tag: 'audit',
    summary: { en: 'Versions of a §9 record with actor, time and reason', zh: '质量记录版本历史（人、时间、原因）' },
    params: S.RecordParams,
    response: { status: 200, schema: S.RecordVersions },
    handler: async ({ services, params }) => found(await services.store.recordVersions(params.kind, params.id), params.kind, params.id),
  }),
  route<{ kind: string; id: string }, {}, { reason: string; changes: JsonObject }>({
    id: 'correctRecord',
    method: 'post',
    idempotent: true,
    path: '/records/:kind/:id/corrections',
    roles: CORRECTORS,
    tag: 'audit',
    summary: {
      en: 'Correct a §9 record: a new version with a reason (never an update in place)',
      zh: '更正质量记录（新版本，须注明原因）',
    },
    params: S.RecordParams,
    body: S.CorrectionBody,
    response: { status: 201, schema: S.RecordVersion },
    handler: async ({ services, principal, params, body }) => {
      const v = found(
        await services.store.correctRecord(actorOf(principal), params.kind, params.id, body.reason, body.changes),
        params.kind,
        params.id,
      );
      return new Reply(201, v);
    },
  }),
];
