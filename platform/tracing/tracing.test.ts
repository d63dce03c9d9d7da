import { Metadata } from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { metadataGetter, metadataSetter } from './propagation.js';
import { startTracing, tracesUrl } from './provider.js';

const logger = createLogger({ component: 'test', level: 'silent' });

describe('tracing setup', () => {
  afterEach(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('sends to /v1/traces of a bare OTLP/HTTP endpoint, or to the URL given with a path', () => {
    expect(tracesUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://jaeger:4318/custom/traces')).toBe('http://jaeger:4318/custom/traces');
  });

  it('registers nothing without an endpoint: spans are no-ops', async () => {
    const t = startTracing({ service: 'orders', instance: 'orders-1', logger });
    expect(t.enabled).toBe(false);
    expect(trace.getTracer('x').startSpan('s').isRecording()).toBe(false);
    await t.stop();
  });

  it('with an endpoint, records spans and propagates W3C trace context through gRPC metadata', async () => {
    const t = startTracing({
      otlpEndpoint: 'http://127.0.0.1:9/',
      service: 'orders',
      instance: 'orders-1',
      logger,
    });
    expect(t.enabled).toBe(true);
    const span = trace.getTracer('x').startSpan('s');
    expect(span.isRecording()).toBe(true);
    const md = new Metadata();
    propagation.inject(trace.setSpan(context.active(), span), md, metadataSetter);
    const header = String(md.get('traceparent')[0]);
    expect(header).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    const extracted = trace.getSpanContext(
      new W3CTraceContextPropagator().extract(context.active(), md, metadataGetter),
    );
    expect(extracted?.traceId).toBe(span.spanContext().traceId);
    // Not ended: nothing to export (the endpoint is a closed port), so stop() returns at once.
    await t.stop();
  });
});
