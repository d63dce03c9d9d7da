import { Metadata, status as Status } from '@grpc/grpc-js';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import type { Interceptor } from '../grpc/context.js';
import { toWireError } from '../grpc/status.js';
import { methodLabels } from '../metrics.js';
import { metadataGetter, metadataSetter } from './propagation.js';

const TRACER = 'ecom-grpc';

/** Codes that mean the server (or the path to it) failed, as opposed to a refused request. */
const SERVER_FAULTS = new Set<number>([
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.INTERNAL,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
  Status.UNIMPLEMENTED,
]);

function attributes(path: string) {
  const { service, method } = methodLabels(path);
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
}

function finish(span: Span, code: number, details?: string): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (SERVER_FAULTS.has(code))
    span.setStatus({ code: SpanStatusCode.ERROR, message: details ?? Status[code] });
  span.end();
}

/**
 * A server span per served call, child of the caller's span when the request metadata carries
 * W3C trace context; the handler runs inside it, so the calls it makes are its children.
 * A no-op (non-recording spans) when tracing is off.
 */
export function tracingInterceptor(): Interceptor {
  return async (ctx, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter);
    const span = trace
      .getTracer(TRACER)
      .startSpan(ctx.method.slice(1), { kind: SpanKind.SERVER, attributes: attributes(ctx.method) }, parent);
    try {
      const result = await context.with(trace.setSpan(parent, span), next);
      finish(span, Status.OK);
      return result;
    } catch (err) {
      const wire = toWireError(err);
      finish(span, wire.code, wire.details);
      throw err;
    }
  };
}

/** An outgoing call's span: inject its context into the request metadata, end it with the status. */
export interface ClientSpan {
  /** The metadata to send: `base` (copied, never modified) plus traceparent when tracing. */
  metadata(base: Metadata | undefined): Metadata;
  end(code: number, details?: string): void;
}

/** Starts a client span for a call to `path`, child of the active span (the call being served). */
export function startClientSpan(path: string): ClientSpan {
  const parent = context.active();
  const span = trace
    .getTracer(TRACER)
    .startSpan(path.slice(1), { kind: SpanKind.CLIENT, attributes: attributes(path) }, parent);
  let ended = false;
  return {
    metadata(base) {
      if (!span.isRecording()) return base ?? new Metadata();
      const md = base ? base.clone() : new Metadata();
      propagation.inject(trace.setSpan(parent, span), md, metadataSetter);
      return md;
    },
    end(code, details) {
      if (ended) return;
      ended = true;
      finish(span, code, details);
    },
  };
}
