/**
 * One HTTP request answered as status + body text, over keep-alive agents.
 *
 * Used for the calls the app makes to the orchestration REST API on every task-list poll and task
 * completion (api/tasks.ts) and by the dispatcher's instance-key lookups. Node 20's global fetch costs
 * several times the CPU of node:http per call (it builds WHATWG request/response streams: in the
 * end-to-end benchmark's app profile ~7% of the process went to undici's stream plumbing), and these
 * calls are small JSON bodies on a local or in-cluster connection where streaming buys nothing.
 */
import http from 'node:http';
import https from 'node:https';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export interface TextResponse {
  status: number;
  text: string;
}

export interface TextRequest {
  method: string;
  headers?: Record<string, string>;
  /** sent as is (callers set content-type) */
  body?: string;
  /** abort (and reject) after this many ms; default 10 s */
  timeoutMs?: number;
}

/**
 * Rejects on connection errors and time-outs; any HTTP status resolves.
 *
 * A keep-alive socket the server closes as idle while this request is being written fails with
 * ECONNRESET before any answer (the server never read the request): that request is sent once more on a
 * fresh connection, as Node's http documentation advises (`request.reusedSocket`). Any other failure, and a
 * reset on a new socket, is the caller's.
 */
export async function requestText(url: string, req: TextRequest): Promise<TextResponse> {
  try {
    return await sendOnce(url, req);
  } catch (e) {
    if (!(e instanceof StaleSocketError)) throw e;
    return sendOnce(url, req);
  }
}

class StaleSocketError extends Error {}

function sendOnce(url: string, req: TextRequest): Promise<TextResponse> {
  const u = new URL(url);
  const protocol = u.protocol as keyof typeof agents;
  if (!(protocol in agents)) return Promise.reject(new Error(`unsupported protocol ${u.protocol}`));
  const lib = protocol === 'https:' ? https : http;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const timeoutMs = req.timeoutMs ?? 10_000;
  return new Promise<TextResponse>((resolve, reject) => {
    const r = lib.request(
      u,
      {
        method: req.method,
        agent: agents[protocol],
        headers: { ...(req.headers ?? {}), ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => r.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    r.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(r.reusedSocket && e.code === 'ECONNRESET' ? new StaleSocketError(e.message, { cause: e }) : e);
    });
    r.end(body);
  });
}
