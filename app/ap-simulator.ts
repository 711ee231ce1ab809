/**
 * A stand-in for an AP's implementation endpoint (tests, `npm run demo`): an HTTP server that accepts
 * the signed implementation requests of expense-contract.request-implementation, verifies the HMAC
 * signature (X-Timestamp, X-Signature; workers/families/ap-signing.ts), answers 202, and remembers each
 * request. `down()` makes it refuse connections (a dependency outage), `up()` brings it back on the
 * same port. `onRequest` may answer on the AP's behalf (the demo submits the payment basis).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../workers/families/ap-signing';

export interface ApRequest {
  body: Record<string, any>;
  raw: string;
  idempotencyKey: string | undefined;
  signatureValid: boolean;
  at: Date;
}

export interface ApSimulator {
  readonly url: string;
  readonly port: number;
  readonly requests: ApRequest[];
  /** requests with a valid signature */
  valid(): ApRequest[];
  rejected(): number;
  /** status to answer valid requests with (default 202) */
  status: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startApSimulator(opts: {
  secret: string;
  port?: number;
  path?: string;
  onRequest?: (r: ApRequest) => void;
}): Promise<ApSimulator> {
  const requests: ApRequest[] = [];
  let rejected = 0;
  let server: http.Server | null = null;
  const sockets = new Set<import('node:net').Socket>();
  const pathName = opts.path ?? '/ap/implementation-requests';
  const self = {
    status: 202,
  } as ApSimulator & { status: number };
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers[TIMESTAMP_HEADER.toLowerCase()] ?? '');
      const sig = String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? '');
      const ok = req.method === 'POST' && req.url === pathName && verify(opts.secret, ts, raw, sig);
      if (!ok) {
        rejected++;
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ reason: 'bad signature' }));
        return;
      }
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(raw);
      } catch {
        /* keep {} */
      }
      const r: ApRequest = {
        body,
        raw,
        idempotencyKey: req.headers[IDEMPOTENCY_HEADER.toLowerCase()] as string | undefined,
        signatureValid: true,
        at: new Date(),
      };
      requests.push(r);
      res
        .writeHead(self.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: self.status < 300, requestId: body.requestId ?? null }));
      if (self.status < 300) opts.onRequest?.(r);
    });
  };
  let port = opts.port ?? 0;
  const listen = async () => {
    server = http.createServer(handler);
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  };
  const close = async () => {
    if (!server) return;
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  Object.assign(self, {
    get url() {
      return `http://127.0.0.1:${port}${pathName}`;
    },
    get port() {
      return port;
    },
    requests,
    valid: () => requests.filter((r) => r.signatureValid),
    rejected: () => rejected,
    down: close,
    up: listen,
    close,
  });
  return self;
}
