/**
 * The Zeebe client a readiness probe asks (zeebeCheck in readiness.ts): it does not retry by itself (a
 * probe must answer now, not pile up retrying calls while the gateway is down) and keeps the SDK's
 * plain-text log lines out of the JSON log (the readiness report says what failed). The SDK reads its
 * credentials (CAMUNDA_BASIC_AUTH_*, ZEEBE_CLIENT_ID, ...) from the environment.
 */
import { Camunda8 } from '@camunda8/sdk';

export interface ProbeClientConfig {
  ZEEBE_GRPC_ADDRESS: string;
  ZEEBE_REST_ADDRESS: string;
  CAMUNDA_AUTH_STRATEGY: string;
}

export function probeZeebeClient(config: ProbeClientConfig) {
  return new Camunda8({
    ZEEBE_GRPC_ADDRESS: config.ZEEBE_GRPC_ADDRESS,
    ZEEBE_REST_ADDRESS: config.ZEEBE_REST_ADDRESS,
    CAMUNDA_AUTH_STRATEGY: config.CAMUNDA_AUTH_STRATEGY,
    CAMUNDA_LOG_LEVEL: 'none',
    zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: false, ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
  } as never).getZeebeGrpcApiClient();
}
