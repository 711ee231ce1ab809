/**
 * The Zeebe client a readiness probe asks (zeebeCheck in readiness.ts): it does not retry by itself (a
 * probe must answer now, not pile up retrying calls while the gateway is down) and keeps the SDK's
 * plain-text log lines out of the JSON log (the readiness report says what failed). The SDK reads its
 * credentials (CAMUNDA_BASIC_AUTH_*, ZEEBE_CLIENT_ID, ...) from the environment.
 */
import { createZeebeClient } from './zeebe-client';

export interface ProbeClientConfig {
  ZEEBE_GRPC_ADDRESS: string;
  ZEEBE_REST_ADDRESS: string;
  CAMUNDA_AUTH_STRATEGY: string;
}

export function probeZeebeClient(config: ProbeClientConfig) {
  return createZeebeClient({
    grpcAddress: config.ZEEBE_GRPC_ADDRESS,
    restAddress: config.ZEEBE_REST_ADDRESS,
    authStrategy: config.CAMUNDA_AUTH_STRATEGY,
    retry: false,
  });
}
