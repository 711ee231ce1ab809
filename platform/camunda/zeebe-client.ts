/**
 * The SDK's gRPC client, built on its own. `new Camunda8(...)` (the SDK's index) loads every client the SDK
 * has (REST, Operate, Tasklist, Optimize, Modeler, Admin, and the orchestration-cluster API with its zod
 * schemas): ~17 MB of heap in each process that imports it, against ~7 MB for the gRPC client's module.
 * The app and the standalone workers need only the gRPC client (user tasks go over REST with the client's
 * own credentials provider, platform/camunda/rest.ts), so they build it here.
 *
 * The client reads the SDK's standard variables (ZEEBE_CLIENT_ID, CAMUNDA_OAUTH_URL,
 * CAMUNDA_BASIC_AUTH_USERNAME, ...) from the environment and builds its credentials provider from them,
 * as Camunda8 does.
 */
import { ZeebeGrpcClient } from '@camunda8/sdk/dist/zeebe';
import { shareGatewayProtoDefinition } from './gateway-proto';

export interface ZeebeClientOptions {
  grpcAddress: string;
  restAddress: string;
  authStrategy: string;
  /** the SDK's own retry of failed gRPC calls (false for a probe that must answer now) */
  retry?: boolean;
  /** how long the client waits for a connection before it reports an error (ms) */
  connectionToleranceMs?: number;
}

export function createZeebeClient(o: ZeebeClientOptions): ZeebeGrpcClient {
  // this client and each worker it creates parse the gateway protocol once between them (platform/camunda/gateway-proto.ts)
  shareGatewayProtoDefinition();
  return new ZeebeGrpcClient({
    config: {
      ZEEBE_GRPC_ADDRESS: /^grpcs?:\/\//.test(o.grpcAddress) ? o.grpcAddress : `grpc://${o.grpcAddress}`,
      ZEEBE_REST_ADDRESS: o.restAddress,
      CAMUNDA_AUTH_STRATEGY: o.authStrategy,
      CAMUNDA_LOG_LEVEL: 'none',
      zeebeGrpcSettings: {
        ZEEBE_GRPC_CLIENT_RETRY: o.retry ?? true,
        ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
        ...(o.connectionToleranceMs !== undefined ? { ZEEBE_GRPC_CLIENT_CONNECTION_TOLERANCE_MS: o.connectionToleranceMs } : {}),
      },
    } as never,
  });
}
