import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { bindService, type Handlers } from './bind.js';
import type { Interceptor } from './context.js';
import { loggingInterceptor, metricsInterceptor } from './interceptors.js';
import { addReflection } from './reflection.js';
import { tracingInterceptor } from '../tracing/grpc.js';
import { tolerantDefinition } from './undecodable.js';

/** A generated service definition bound to its handlers; build one with {@link serviceBinding}. */
export interface ServiceBinding {
  /** Fully qualified service name, e.g. "ecom.inventory.v1.InventoryService". */
  name: string;
  definition: Record<string, { path: string }>;
  handlers: unknown;
}

/** Pairs a ts-proto definition with its handlers; the compiler checks every method is handled. */
export function serviceBinding<D extends Record<string, { path: string }>>(
  definition: D,
  handlers: Handlers<D>,
): ServiceBinding {
  const first = Object.values(definition)[0];
  if (!first) throw new Error('serviceBinding: empty service definition');
  const name = first.path.split('/')[1] ?? '';
  return { name, definition, handlers };
}

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  metrics: Metrics;
  services: ServiceBinding[];
  /** Run after logging and metrics, before the handler (e.g. auth). */
  interceptors?: Interceptor[];
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
  /** .proto files (relative to proto/) to serve through reflection. */
  protoFiles: string[];
}

/** A listening gRPC server. */
export interface StartedGrpcServer {
  port: number;
  health: HealthImplementation;
  /** Marks every service NOT_SERVING and waits for in-flight calls to finish (then forces). */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a gRPC server with grpc.health.v1, server reflection, and the logging, metrics, deadline
 * and error-mapping layers around every handler. Health turns SERVING once bound.
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<StartedGrpcServer> {
  const server = new Server({
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
  });
  // Tracing outermost: the handler, and every call it makes, run inside the call's server span.
  const interceptors = [
    tracingInterceptor(),
    loggingInterceptor(),
    metricsInterceptor(opts.metrics),
    ...(opts.interceptors ?? []),
  ];
  for (const s of opts.services) {
    server.addService(
      tolerantDefinition(s.definition as never) as never,
      bindService(s.definition as never, s.handlers as never, {
        logger: opts.logger,
        interceptors,
        defaultDeadlineMs: opts.defaultDeadlineMs,
        maxDeadlineMs: opts.maxDeadlineMs,
      }),
    );
  }
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  addReflection(server, opts.protoFiles);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${opts.host}:${opts.port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const setAll = (status: 'SERVING' | 'NOT_SERVING') => {
    health.setStatus('', status);
    for (const s of opts.services) health.setStatus(s.name, status);
  };
  setAll('SERVING');
  opts.logger.info({ port, services: opts.services.map((s) => s.name) }, 'gRPC server listening');

  let stopping: Promise<void> | undefined;
  return {
    port,
    health,
    stop: (timeoutMs = 10_000) =>
      (stopping ??= new Promise<void>((resolve) => {
        setAll('NOT_SERVING');
        const force = setTimeout(() => {
          opts.logger.warn('in-flight calls did not drain in time: forcing shutdown');
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      })),
  };
}
