/**
 * Observability of the API, as the composition roots (app/entry/api.ts for `npm run api`, app/system.ts for
 * the single-command start) hand it to createApp:
 *
 *   const obs = observeApi(ds, createHealth(ds), { logger, metrics, zeebe });
 *   createApp({ ...services, health: obs.health, logError: obs.logError }, { ...obs.appOptions });
 *
 * - metrics: the latency histogram of every request under its route pattern, GET /metrics at the root
 *   (never under /api), and the outbox gauges read from `ds` (unless the caller set a probe already);
 * - logger: one JSON line per request carrying the request id (X-Request-Id), errors with their stack;
 * - zeebe: /health/ready also requires the gateway to answer Topology with a healthy leader per partition.
 */
import type { RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { requestLogging } from '../../platform/observability/http';
import { createLogger, type AppLogger, type LogLevel } from '../../platform/observability/logger';
import { createMetrics, warnOnCollectError, type AppMetrics } from '../../platform/observability/metrics';
import { probeZeebeClient } from '../../platform/camunda/probe-client';
import { outboxProbe } from './outbox';
import { withChecks, zeebeCheck, type HealthPort, type TopologyClientLike } from '../../platform/observability/readiness';

export interface ApiObservability {
  logger?: AppLogger;
  metrics?: AppMetrics;
  /** a Zeebe client for the readiness check (preferably one that does not retry by itself) */
  zeebe?: TopologyClientLike;
  /** per check, ms (default 2000) */
  readinessTimeoutMs?: number;
}

export interface ObservedApi {
  health: HealthPort;
  logError?: (err: unknown, ctx: Record<string, unknown>) => void;
  appOptions: { metrics?: AppMetrics; requestLogging?: RequestHandler };
}

export function observeApi(ds: DataSource, health: HealthPort, obs: ApiObservability, opts: { outboxProbe?: boolean } = {}): ObservedApi {
  if (obs.metrics && (opts.outboxProbe ?? true)) obs.metrics.setOutboxProbe(outboxProbe(ds));
  const logger = obs.logger;
  return {
    health: obs.zeebe ? withChecks(health, [zeebeCheck(obs.zeebe)], { timeoutMs: obs.readinessTimeoutMs }) : health,
    ...(logger
      ? {
          logError: (err: unknown, ctx: Record<string, unknown>) =>
            logger.error({ ...ctx, err: (err as Error)?.stack ?? String(err) }, 'api error'),
        }
      : {}),
    appOptions: {
      ...(obs.metrics ? { metrics: obs.metrics } : {}),
      ...(logger ? { requestLogging: requestLogging(logger) } : {}),
    },
  };
}

/** The settings of platform/config the API process's observability needs. */
export interface ApiProcessConfig {
  LOG_LEVEL: LogLevel;
  ZEEBE_GRPC_ADDRESS: string;
  ZEEBE_REST_ADDRESS: string;
  CAMUNDA_AUTH_STRATEGY: string;
}

/**
 * `npm run api`: a JSON logger (service api), a metrics registry (service api) and a Zeebe gRPC client
 * used only for the readiness check (platform/camunda/probe-client.ts: no retries, no SDK log lines). close() closes it.
 */
export function apiProcessObservability(
  config: ApiProcessConfig,
): Required<Pick<ApiObservability, 'logger' | 'metrics' | 'zeebe'>> & { close(): Promise<void> } {
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'api' });
  const metrics = createMetrics({
    defaultLabels: { service: 'api' },
    onCollectError: warnOnCollectError(logger),
  });
  const zeebe = probeZeebeClient(config);
  return { logger, metrics, zeebe, close: () => zeebe.close(2000).then(() => undefined) };
}
