import type { Sample } from './prom-text.js';

/** A latency histogram of one RPC method (cumulative counts per upper bound, seconds). */
export interface Hist {
  service: string;
  method: string;
  /** Upper bounds, ascending, ending with Infinity. */
  les: number[];
  /** Cumulative counts per bound. */
  cum: number[];
  count: number;
  errors: number;
}

/** A method's latency over a window. */
export interface MethodLatency {
  service: string;
  method: string;
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** A circuit breaker's state as reported by its process. */
export interface Breaker {
  instance: string;
  target: string;
  state: 'closed' | 'half-open' | 'open';
}

const SERVER_HIST = 'ecom_rpc_server_duration_seconds';
const STATES = ['closed', 'half-open', 'open'] as const;

/** The served-RPC histograms of one scrape, per (service, method), summed over status codes. */
export function histogramsOf(samples: Sample[]): Map<string, Hist> {
  const byKey = new Map<
    string,
    { service: string; method: string; buckets: Map<number, number>; count: number; errors: number }
  >();
  const entry = (s: Sample) => {
    const service = s.labels.ecom_service ?? 'unknown';
    const method = s.labels.method ?? 'unknown';
    const key = `${service}\u0000${method}`;
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { service, method, buckets: new Map(), count: 0, errors: 0 }));
    return e;
  };
  for (const s of samples) {
    if (s.name === `${SERVER_HIST}_bucket`) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      const e = entry(s);
      e.buckets.set(le, (e.buckets.get(le) ?? 0) + s.value);
    } else if (s.name === `${SERVER_HIST}_count`) {
      const e = entry(s);
      e.count += s.value;
      if (s.labels.code !== 'OK') e.errors += s.value;
    }
  }
  const out = new Map<string, Hist>();
  for (const [key, e] of byKey) {
    const les = [...e.buckets.keys()].sort((a, b) => a - b);
    out.set(key, {
      service: e.service,
      method: e.method,
      les,
      cum: les.map((le) => e.buckets.get(le)!),
      count: e.count,
      errors: e.errors,
    });
  }
  return out;
}

/** The breaker gauges (ecom_breaker_state: 0 closed, 1 half-open, 2 open) of one scrape. */
export function breakersOf(samples: Sample[]): Breaker[] {
  return samples
    .filter((s) => s.name === 'ecom_breaker_state')
    .map((s) => ({
      instance: s.labels.ecom_instance ?? 'unknown',
      target: s.labels.target ?? 'unknown',
      state: STATES[Math.max(0, Math.min(2, Math.round(s.value)))]!,
    }));
}

/**
 * The q-quantile of a cumulative histogram, in the bucket's unit, interpolating linearly inside
 * the bucket that holds it (like PromQL's histogram_quantile); the highest finite bound when it
 * falls in +Inf; 0 for an empty histogram.
 */
export function quantile(q: number, les: number[], cum: number[]): number {
  const total = cum[cum.length - 1] ?? 0;
  if (total <= 0) return 0;
  const rank = q * total;
  let i = cum.findIndex((c) => c >= rank);
  if (i < 0) i = cum.length - 1;
  const upper = les[i]!;
  if (upper === Infinity) return les[i - 1] ?? 0;
  const lower = i === 0 ? 0 : les[i - 1]!;
  const below = i === 0 ? 0 : cum[i - 1]!;
  const inBucket = cum[i]! - below;
  return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
}

/** `now` minus `base`, per bucket; `now` alone when the counters were reset (a restart). */
export function minus(now: Hist, base: Hist | undefined): Hist {
  if (!base || base.count > now.count || base.les.length !== now.les.length) return now;
  return {
    ...now,
    cum: now.cum.map((c, i) => c - (base.cum[i] ?? 0)),
    count: now.count - base.count,
    errors: now.errors - base.errors,
  };
}

/** Adds `b` into `a` (same bounds); returns `a`. */
export function add(a: Hist, b: Hist): Hist {
  if (a.les.length !== b.les.length) return a;
  return {
    ...a,
    cum: a.cum.map((c, i) => c + (b.cum[i] ?? 0)),
    count: a.count + b.count,
    errors: a.errors + b.errors,
  };
}

/** Percentiles of a histogram as a {@link MethodLatency}. */
export function toLatency(h: Hist): MethodLatency {
  return {
    service: h.service,
    method: h.method,
    count: h.count,
    errors: h.errors,
    p50Ms: quantile(0.5, h.les, h.cum) * 1_000,
    p99Ms: quantile(0.99, h.les, h.cum) * 1_000,
  };
}
