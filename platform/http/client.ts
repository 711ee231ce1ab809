/**
 * The outbound HTTP the workers use (AP implementation requests), as a function injected into the
 * handlers so tests can stand a real server or a double behind it. The one implementation is
 * request-text.ts (node:http with keep-alive agents), which the API's calls to the orchestration REST API
 * use as well: one HTTP client for the code base.
 */
import { requestText } from './request-text';

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

/** network errors and time-outs reject; every status resolves */
export const httpClient: HttpClient = async (req) => {
  const res = await requestText(req.url, { method: req.method, headers: req.headers, body: req.body, timeoutMs: req.timeoutMs });
  return { status: res.status, body: res.text };
};

export const noHttpClient: HttpClient = async (req) => {
  throw new Error(`no HTTP client configured (request to ${req.url})`);
};
