import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { headersGetter, recordSetter } from './propagation.js';

const TRACER = 'ecom-http';

/**
 * Runs `handle` inside a server span when the request carries W3C trace context (a traceparent
 * header: the payments → gateway calls); the span ends when the response is finished or the
 * connection closes. Requests without trace context (browsers, Prometheus) are not traced.
 */
export function withHttpServerSpan<T>(req: IncomingMessage, res: ServerResponse, handle: () => T): T {
  if (req.headers.traceparent === undefined) return handle();
  const parent = propagation.extract(ROOT_CONTEXT, req.headers, headersGetter);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const span = trace.getTracer(TRACER).startSpan(
    `${req.method ?? 'GET'} ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': path },
    },
    parent,
  );
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  return context.with(trace.setSpan(parent, span), handle);
}

/** An outgoing HTTP request's span. */
export interface HttpClientSpan {
  /** Adds traceparent (and tracestate) to `headers` when tracing. */
  inject(headers: Record<string, string>): void;
  /** Ends the span with the response status, or with the error that replaced the response. */
  end(outcome: { status: number } | { error: string }): void;
}

/** Starts a client span for `method path` to `origin`, child of the active span. */
export function startHttpClientSpan(method: string, path: string, origin: string): HttpClientSpan {
  const parent = context.active();
  const urlPath = path.split('?')[0] ?? path;
  const span = trace.getTracer(TRACER).startSpan(
    `${method} ${urlPath}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': method, 'url.path': urlPath, 'server.address': origin },
    },
    parent,
  );
  let ended = false;
  return {
    inject(headers) {
      if (span.isRecording()) propagation.inject(trace.setSpan(parent, span), headers, recordSetter);
    },
    end(outcome) {
      if (ended) return;
      ended = true;
      if ('status' in outcome) {
        span.setAttribute('http.response.status_code', outcome.status);
        if (outcome.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      } else span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
      span.end();
    },
  };
}
