/**
 * The Idempotency-Key request header on the routes that create a numbered record (RouteSpec
 * `idempotent`), after the IETF httpapi idempotency-key draft. Rules in domain/idempotency.ts:
 * same key + same request → the first response replayed (header `Idempotent-Replayed: true`); same key
 * + another request → 422; the same key while the first request runs → it is waited for, then replayed
 * (409 if it does not finish in time); keys are kept 24 h per caller. Without the header nothing changes.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { IdempotentRequest } from '../domain/idempotency';
import { badRequest, ProblemError } from './problem';
import { Reply } from './route';
import type { ApiStore } from './services';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** a sf-string per the draft ("…"), or the bare token many clients send: 1–128 visible ASCII characters */
const KEY = /^(?:"([\x21\x23-\x7E]{1,128})"|([\x21\x23-\x7E]{1,128}))$/;

/** OpenAPI parameter of the idempotent routes (openapi.ts) */
export const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes the create safe to retry (IETF httpapi idempotency-key draft). Same key and same body: the first response is returned again (header Idempotent-Replayed: true), nothing new is created; same key with another body: 422; a repeat while the first request is still running waits for it. Keys are kept 24 hours per user. 1–128 visible ASCII characters, optionally quoted as a structured-field string.',
  schema: { type: 'string', minLength: 1, maxLength: 130, example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"' },
};

/** JSON with object keys sorted, so the same body in another key order has the same fingerprint */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** the validated key of the request, or undefined without the header */
export function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const m = typeof raw === 'string' ? KEY.exec(raw.trim()) : null;
  if (!m)
    throw badRequest('Idempotency-Key: 1–128 visible ASCII characters (a structured-field string)', [
      { in: 'header', pointer: '/idempotency-key', detail: 'must be 1–128 visible ASCII characters' },
    ]);
  return m[1] ?? m[2];
}

/** Runs `work` once per (caller, key); a repeat gets the stored reply. */
export async function idempotent(
  store: ApiStore,
  who: { actor: string; key: string; operation: string },
  req: Request,
  body: unknown,
  work: () => Promise<Reply>,
): Promise<Reply> {
  const fingerprint = createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n${canonical(body)}`)
    .digest('hex');
  const r: IdempotentRequest = { ...who, fingerprint };
  const claim = await store.idempotency.claim(r);
  if (claim.kind === 'replay') return new Reply(claim.status, claim.body, undefined, { ...claim.headers, 'idempotent-replayed': 'true' });
  if (claim.kind === 'mismatch')
    throw new ProblemError(
      422,
      'idempotency-key-reused',
      'Idempotency key reused',
      `Idempotency-Key ${who.key} was used at ${claim.firstAt.toISOString()} for another request (${claim.operation}); use a new key for a new request`,
      [{ in: 'header', pointer: '/idempotency-key', detail: 'already used for a different request' }],
    );
  if (claim.kind === 'in-progress')
    throw new ProblemError(
      409,
      'idempotency-key-in-use',
      'Request in progress',
      `a request with Idempotency-Key ${who.key} is still being processed; retry later`,
      [{ in: 'header', pointer: '/idempotency-key', detail: 'a request with this key is in progress' }],
    );
  let reply: Reply;
  try {
    reply = await work();
  } catch (e) {
    await store.idempotency.release(r);
    throw e;
  }
  if (reply.status < 300) await store.idempotency.complete(r, reply.status, reply.body, reply.headers);
  else await store.idempotency.release(r);
  return reply;
}
