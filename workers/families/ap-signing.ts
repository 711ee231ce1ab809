/**
 * Signing of the requests the system sends to an AP's registered endpoint.
 *
 *   X-Timestamp:     Unix time in milliseconds
 *   X-Signature:     sha256=<hex HMAC-SHA256(partner.hmacSecret, `${X-Timestamp}.${body}`)>
 *   Idempotency-Key: stable for one request (the job key): a redelivery or retry sends the same key,
 *                    so the AP can answer it once
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Signature';
export const TIMESTAMP_HEADER = 'X-Timestamp';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verify(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function signedHeaders(secret: string, body: string, idempotencyKey: string, now: Date): Record<string, string> {
  const ts = String(now.getTime());
  return {
    'Content-Type': 'application/json; charset=utf-8',
    [TIMESTAMP_HEADER]: ts,
    [SIGNATURE_HEADER]: sign(secret, ts, body),
    [IDEMPOTENCY_HEADER]: idempotencyKey,
  };
}
