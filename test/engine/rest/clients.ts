// Camunda's own REST clients, pointed at the engine under test (or, with ZEEBE_GRPC_ADDRESS and
// ZEEBE_REST_ADDRESS set, at a real Camunda 8.9: see ../helpers.ts setup()).
import { Camunda8 } from '@camunda8/sdk';
import createCamundaClient from '@camunda8/orchestration-cluster-api';
import type { Ctx } from '../helpers';

export type RestClient = ReturnType<Camunda8['getCamundaRestClient']>;

/** The SDK's CamundaRestClient, configured as Desktop Modeler configures it for a self-hosted cluster without authentication. */
export function sdkRest(ctx: Ctx): RestClient {
  return new Camunda8({
    ZEEBE_REST_ADDRESS: ctx.rest,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_OAUTH_DISABLED: true,
    CAMUNDA_LOG_LEVEL: 'none',
  } as never).getCamundaRestClient();
}

/** @camunda8/orchestration-cluster-api, the REST-only client of Camunda 8.8+ (responses validated strictly against its schemas). */
export function clusterApi(ctx: Ctx) {
  return createCamundaClient({
    config: {
      CAMUNDA_REST_ADDRESS: ctx.rest,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_SDK_VALIDATION: 'strict',
      CAMUNDA_SDK_LOG_LEVEL: 'silent',
    },
  } as never);
}

/** The HTTP status of a failed client call (throws when the call succeeds). */
export async function statusOf(p: Promise<unknown>): Promise<{ status: number; detail: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as {
      statusCode?: number;
      status?: number;
      response?: { statusCode?: number; body?: unknown };
      detail?: string;
      message?: string;
    };
    const status = err.statusCode ?? err.response?.statusCode ?? err.status;
    const body = err.response?.body;
    const detail = err.detail ?? (typeof body === 'string' ? body : JSON.stringify(body ?? '')) ?? err.message ?? '';
    return { status: Number(status), detail: String(detail) };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
