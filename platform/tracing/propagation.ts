import type { IncomingHttpHeaders } from 'node:http';
import { Metadata } from '@grpc/grpc-js';
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/** Reads W3C trace context (traceparent, tracestate) from gRPC metadata. */
export const metadataGetter: TextMapGetter<Metadata> = {
  get: (md, key) => {
    const values = md.get(key);
    if (values.length === 0) return undefined;
    return values.map(String);
  },
  keys: (md) => Object.keys(md.getMap()),
};

/** Writes W3C trace context into gRPC metadata. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (md, key, value) => md.set(key, value),
};

/** Reads trace context from Node's incoming HTTP headers (lower-case names). */
export const headersGetter: TextMapGetter<IncomingHttpHeaders> = {
  get: (h, key) => h[key.toLowerCase()],
  keys: (h) => Object.keys(h),
};

/** Writes trace context into an outgoing header record. */
export const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (h, key, value) => {
    h[key] = value;
  },
};
