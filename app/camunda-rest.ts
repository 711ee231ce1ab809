import type { Camunda8 } from '@camunda8/sdk';
import type { Config } from '../config/index';

/**
 * Headers for the orchestration cluster's REST API with the SDK's own credentials (OAuth, basic, bearer,
 * as configured by CAMUNDA_AUTH_STRATEGY and the SDK's variables). The SDK keeps its provider private;
 * it is read from the instance, and missing (NONE) means no headers.
 */
export function restAuthHeaders(c8: Camunda8, config: Config): () => Promise<Record<string, string>> {
  if (config.CAMUNDA_AUTH_STRATEGY === 'NONE') return async () => ({});
  const provider = (c8 as unknown as { oAuthProvider?: { getHeaders(audience: string): Promise<Record<string, string>> } }).oAuthProvider;
  if (!provider) throw new Error(`CAMUNDA_AUTH_STRATEGY=${config.CAMUNDA_AUTH_STRATEGY}, but the SDK built no credentials provider`);
  return async () => ({ ...(await provider.getHeaders('ZEEBE')) });
}
