/** The outbound HTTP the workers use (AP implementation requests). Injected so tests can fake it. */
export interface HttpRequest {
  readonly method: 'POST' | 'PUT' | 'GET';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
}
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}
export type HttpClient = (req: HttpRequest) => Promise<HttpResponse>;

/** fetch-based client: network errors and time-outs reject; every status resolves. */
export const fetchHttpClient: HttpClient = async (req) => {
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: AbortSignal.timeout(req.timeoutMs),
  });
  return { status: res.status, body: await res.text() };
};

export const noHttpClient: HttpClient = async (req) => {
  throw new Error(`no HTTP client configured (request to ${req.url})`);
};
