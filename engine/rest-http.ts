// The HTTP layer of the REST API: request and handler types, JSON bodies, problem details. Shared by
// rest.ts (queries, user tasks, clock) and rest-commands.ts (deployments, jobs, messages, instances).
import * as http from 'node:http';

/** the largest request body accepted (as Zeebe's gateway: 4 MB) */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * A request as the handlers see it: route parameters and the parsed JSON body (undefined when empty; for a
 * route registered as raw the body is not read and `raw` is the request). `closed()` tells whether the
 * client went away before the answer (a long poll must then give its jobs back).
 */
export interface Req { params: Record<string, string | undefined>; body: unknown; raw?: http.IncomingMessage; closed(): boolean; onClose(fn: () => void): void }
/** A non-JSON answer (the BPMN XML of a definition). */
export class Raw { constructor(readonly contentType: string, readonly text: string) {} }
export type Handler = (req: Req) => unknown;
/** The route table handlers are registered in (find-my-way underneath). */
export interface Routes {
  get(p: string, fn: Handler): void; post(p: string, fn: Handler): void; put(p: string, fn: Handler): void;
  patch(p: string, fn: Handler): void; delete(p: string, fn: Handler): void;
  /** a POST whose body the handler reads itself (multipart) */
  postRaw(p: string, fn: Handler): void;
}
export interface Route { fn: Handler; raw: boolean }

/** An HTTP error raised before a handler runs (unreadable or oversize body). */
export class HttpError extends Error { constructor(readonly status: number, readonly title: string, message: string) { super(message); } }

export function send(res: http.ServerResponse, status: number, contentType: string, text: string) {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function problem(res: http.ServerResponse, status: number, title: string, detail: string, instance: string) {
  send(res, status, 'application/problem+json; charset=utf-8', JSON.stringify({ type: 'about:blank', title, status, detail, instance }));
}

/** The request body as JSON: undefined when empty; an object or array, else a 400 (as strict JSON body parsers do). */
export function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // past the limit the rest is read and dropped, so the connection stays usable for the 413
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${MAX_BODY_BYTES} bytes`));
      if (size === 0) return resolve(undefined);
      let v: unknown;
      try { v = JSON.parse(Buffer.concat(chunks, size).toString('utf8')); } catch (e) {
        return reject(new HttpError(400, 'INVALID_ARGUMENT', `Request body is not valid JSON: ${(e as Error).message}`));
      }
      if (v === null || typeof v !== 'object') return reject(new HttpError(400, 'INVALID_ARGUMENT', 'Expected a JSON object as request body'));
      resolve(v);
    });
  });
}

