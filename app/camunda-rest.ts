import type { Config } from '../config/index';

/**
 * Headers for the orchestration cluster's REST API with the SDK's own credentials (OAuth, basic, bearer,
 * as configured by CAMUNDA_AUTH_STRATEGY and the SDK's variables). The SDK keeps its provider private;
 * it is read from the instance (a ZeebeGrpcClient or a Camunda8: both hold the one they built), and
 * missing (NONE) means no headers.
 */
export function restAuthHeaders(sdk: object, config: Config): () => Promise<Record<string, string>> {
  if (config.CAMUNDA_AUTH_STRATEGY === 'NONE') return async () => ({});
  const provider = (sdk as { oAuthProvider?: { getHeaders(audience: string): Promise<Record<string, string>> } }).oAuthProvider;
  if (!provider) throw new Error(`CAMUNDA_AUTH_STRATEGY=${config.CAMUNDA_AUTH_STRATEGY}, but the SDK built no credentials provider`);
  return async () => ({ ...(await provider.getHeaders('ZEEBE')) });
}
