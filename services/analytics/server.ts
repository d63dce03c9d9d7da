import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgument } from '../../platform/errors.js';
import { serviceBinding, type ServiceBinding } from '../../platform/grpc/server.js';
import { AnalyticsServiceService } from '../../proto/gen/ecom/analytics/v1/analytics.js';
import { buildSummary, topSkus, type SummarySources } from './summary.js';

export const ANALYTICS_PROTO_FILES = ['ecom/analytics/v1/analytics.proto'];

/** Checks a window: 0 (all time) or 1..`max` seconds. */
export function checkWindow(seconds: number, max: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > max) {
    throw new InvalidArgument('window_seconds', `must be 0 (all time) or 1..${max}, got ${seconds}`);
  }
  return seconds;
}

/** WatchSummary's interval: 0 means 1000; else 100..60000 ms. */
export function checkInterval(ms: number): number {
  if (ms === 0) return 1_000;
  if (!Number.isInteger(ms) || ms < 100 || ms > 60_000) {
    throw new InvalidArgument('interval_ms', `must be 0 (1000) or 100..60000, got ${ms}`);
  }
  return ms;
}

/** TopSkus' limit: 0 means 10; else 1..100. */
export function checkLimit(limit: number): number {
  if (limit === 0) return 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new InvalidArgument('limit', `must be 0 (10) or 1..100, got ${limit}`);
  }
  return limit;
}

/** The AnalyticsService handlers over the in-memory view (windows up to `maxWindowSeconds`). */
export function analyticsBinding(src: SummarySources, maxWindowSeconds: number): ServiceBinding {
  return serviceBinding(AnalyticsServiceService, {
    async getSummary(req) {
      return { summary: buildSummary(src, checkWindow(req.windowSeconds, maxWindowSeconds)) };
    },
    async watchSummary(req, ctx, send) {
      const window = checkWindow(req.windowSeconds, maxWindowSeconds);
      const interval = checkInterval(req.intervalMs);
      // Until the client cancels (or the call's deadline passes: the platform caps it).
      while (!ctx.signal.aborted) {
        send({ summary: buildSummary(src, window) });
        await sleep(interval, undefined, { signal: ctx.signal }).catch(() => undefined);
      }
    },
    async topSkus(req) {
      const limit = checkLimit(req.limit);
      const window = checkWindow(req.windowSeconds, maxWindowSeconds);
      return { skus: topSkus(src.view, window, src.now(), limit) };
    },
  });
}
