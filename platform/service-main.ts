import type { z } from 'zod';
import { BaseConfig, ConfigError, parseConfig, readRawConfig } from './config.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { serveMetrics, type HttpHandler } from './metrics-server.js';
import type { Interceptor } from './grpc/context.js';
import { startGrpcServer, type ServiceBinding } from './grpc/server.js';
import { startTracing } from './tracing/provider.js';

/** What a service's start function receives. */
export interface ServiceDeps<C> {
  config: C;
  logger: Logger;
  metrics: Metrics;
  /** "<service>-<instance>", e.g. "inventory-2". */
  instanceName: string;
  /** Register things to stop at shutdown (they stop after the gRPC server has drained). */
  lifecycle: Lifecycle;
}

/** What a service's start function returns: its gRPC bindings and extras. */
export interface ServiceParts {
  bindings: ServiceBinding[];
  /** .proto files (relative to proto/) for reflection. */
  protoFiles: string[];
  interceptors?: Interceptor[];
  /** Serves HTTP requests other than /metrics and /healthz on the metrics port (return false for 404). */
  httpHandler?: HttpHandler;
}

/**
 * The entry point shared by every gRPC service process: reads and validates the config (exit 2
 * naming the field on a bad one), creates the logger and metrics, lets the service build its
 * parts, serves gRPC (health, reflection) and /metrics, and shuts down gracefully on SIGTERM.
 */
export async function runService<S extends z.ZodType<BaseConfig>>(
  schema: S,
  start: (deps: ServiceDeps<z.infer<S>>) => Promise<ServiceParts>,
): Promise<void> {
  let config: z.infer<S>;
  try {
    const { raw, source } = readRawConfig();
    config = parseConfig(schema, raw, source);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const instanceName = `${config.service}-${config.instance}`;
  const logger = createLogger({ component: instanceName, level: config.logLevel });
  const metrics = createMetrics({ service: config.service, instance: instanceName });
  const lifecycle = new Lifecycle(logger);
  lifecycle.exitOnSignals({ lifeline: config.lifeline });
  process.on('unhandledRejection', (err) => {
    logger.error({ err }, 'unhandled rejection');
    metrics.unexpectedErrors.inc({ where: 'unhandledRejection' });
  });

  try {
    // Registered first so it stops last: spans of the shutdown itself are still flushed.
    const tracing = startTracing({
      otlpEndpoint: config.otlpEndpoint,
      service: config.service,
      instance: instanceName,
      logger,
    });
    if (tracing.enabled) lifecycle.add('tracing', tracing);
    const parts = await start({ config, logger, metrics, instanceName, lifecycle });
    const http = await serveMetrics({
      registry: metrics.registry,
      host: config.host,
      port: config.metricsPort,
      handler: parts.httpHandler,
    });
    lifecycle.add('metrics server', http);
    const grpc = await startGrpcServer({
      host: config.host,
      port: config.grpcPort,
      logger,
      metrics,
      services: parts.bindings,
      interceptors: parts.interceptors,
      defaultDeadlineMs: config.deadlines.defaultMs,
      maxDeadlineMs: config.deadlines.maxMs,
      protoFiles: parts.protoFiles,
    });
    // Registered last so it stops first: drain in-flight calls before closing their dependencies.
    lifecycle.add('grpc server', () => grpc.stop());
    logger.info({ grpcPort: grpc.port, metrics: http.url }, 'ready');
  } catch (err) {
    logger.fatal({ err }, 'failed to start');
    await lifecycle.stop('start failed');
    logger.flush?.();
    process.exit(1);
  }
}

export { BaseConfig };
