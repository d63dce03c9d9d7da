import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Pool } from 'mysql2/promise';
import { heartbeatLagSeconds } from '../../stack/heartbeat.js';
import type { ScrapeHistory } from './scrapes.js';

/** The analytics service's own metrics. */
export interface AnalyticsMetrics {
  /** Events read from the stream by type and outcome: applied, duplicate, invalid, trimmed. */
  events: Counter<'type' | 'outcome'>;
  /** From the business fact (occurredAt) to its counters being committed here. */
  delay: Histogram;
  /** Batches that failed to apply (left pending, retried). */
  applyFailures: Counter;
}

/** Delay buckets in seconds (10 ms .. 10 min: a consumer that was down shows in the tail). */
const DELAY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 600];

/** Registers the analytics metrics, the scrape targets' state and the replica lag gauge. */
export function createAnalyticsMetrics(
  registry: Registry,
  probes: { scrapes: ScrapeHistory; replica: Pool },
): AnalyticsMetrics {
  const registers = [registry];
  new Gauge({
    name: 'ecom_analytics_scrape_up',
    help: '1 when the target answered its last /metrics scrape by analytics',
    labelNames: ['target'],
    registers,
    collect() {
      for (const [target, up] of probes.scrapes.targets()) this.set({ target }, up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ecom_mysql_replica_lag_seconds',
    help: 'Replication lag of the MySQL replica, from the stack heartbeat row (-1 when unknown)',
    registers,
    async collect() {
      const lag = await Promise.race([
        heartbeatLagSeconds(probes.replica).catch(() => null),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 500).unref()),
      ]);
      this.set(lag ?? -1);
    },
  });
  return {
    events: new Counter({
      name: 'ecom_analytics_events_total',
      help: 'Domain events read by analytics, by type and outcome (applied, duplicate, invalid, trimmed)',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    delay: new Histogram({
      name: 'ecom_analytics_event_delay_seconds',
      help: 'Time from a domain event happening to analytics having counted it',
      buckets: DELAY_BUCKETS,
      registers,
    }),
    applyFailures: new Counter({
      name: 'ecom_analytics_apply_failures_total',
      help: 'Event batches that could not be applied (left pending and retried)',
      registers,
    }),
  };
}
