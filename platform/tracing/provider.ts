import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger.js';

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /**
   * OTLP/HTTP endpoint (Jaeger, an OpenTelemetry collector): a base URL such as
   * "http://127.0.0.1:4318" (traces go to /v1/traces) or the full traces URL. Unset: tracing off.
   */
  otlpEndpoint?: string | undefined;
  /** service.name, e.g. "orders". */
  service: string;
  /** service.instance.id, e.g. "orders-2". */
  instance: string;
  logger: Logger;
  /** How often finished spans are exported, ms (default 1000). */
  exportDelayMs?: number;
}

/** Tracing of one process; `stop()` flushes the spans not exported yet. */
export interface StartedTracing {
  readonly enabled: boolean;
  stop(): Promise<void>;
}

/** The traces URL of an OTLP/HTTP endpoint: a bare base URL gets the standard /v1/traces path. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}

/**
 * Sets up OpenTelemetry for the process from its config: with an OTLP endpoint, a tracer provider
 * exporting batches over OTLP/HTTP, registered globally (AsyncLocalStorage context, W3C trace
 * context propagation) so the gRPC and HTTP instrumentation in platform/ (which uses
 * `@opentelemetry/api`, as instrumentation libraries do) records spans. Without one, nothing is
 * registered: the API stays a no-op and nothing is exported.
 */
export function startTracing(opts: TracingOptions): StartedTracing {
  if (!opts.otlpEndpoint) return { enabled: false, stop: async () => undefined };
  const url = tracesUrl(opts.otlpEndpoint);
  const log = opts.logger.child({ component: `${opts.instance}/tracing` });
  // Export failures (collector down) are logged once in a while, never thrown at the service.
  diag.setLogger(
    {
      error: (msg) => log.warn({ otel: msg }, 'opentelemetry'),
      warn: (msg) => log.debug({ otel: msg }, 'opentelemetry'),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: opts.service,
      'service.instance.id': opts.instance,
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 5_000 }), {
        scheduledDelayMillis: opts.exportDelayMs ?? 1_000,
        maxQueueSize: 8_192,
        maxExportBatchSize: 512,
      }),
    ],
  });
  provider.register();
  log.info({ url }, 'exporting traces over OTLP/HTTP');
  return {
    enabled: true,
    async stop() {
      await provider.shutdown().catch((err: unknown) => log.warn({ err }, 'flushing spans failed'));
      trace.disable();
    },
  };
}
