/**
 * One call to the orchestration cluster's REST API (or the local engine's): JSON in, JSON out (the text too,
 * for the XML and error bodies), every status answered, a network failure or time-out as EngineUnavailable
 * (the API's 503). The user-task port (task-rest.ts) and the workbench's engine (workbench/engine.ts) share it.
 */
import { requestText } from '../platform/http/request-text';

export class EngineUnavailable extends Error {}

export interface EngineAnswer {
  readonly status: number;
  /** the parsed JSON body, undefined when empty or not JSON */
  readonly body: any;
  readonly text: string;
}

export type EngineCall = (method: string, path: string, body?: unknown) => Promise<EngineAnswer>;

export function engineRestCall(
  baseUrl: string,
  headers: () => Promise<Record<string, string>> | Record<string, string> = () => ({}),
  timeoutMs = 10_000,
): EngineCall {
  const base = baseUrl.replace(/\/$/, '');
  return async (method, path, body) => {
    let res: Awaited<ReturnType<typeof requestText>>;
    try {
      res = await requestText(base + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          accept: 'application/json',
          ...(await headers()),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      });
    } catch (e) {
      throw new EngineUnavailable(`the process engine at ${base} does not answer: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      /* XML or text */
    }
    return { status: res.status, body: parsed, text: res.text };
  };
}
