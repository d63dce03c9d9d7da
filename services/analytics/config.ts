import { z } from 'zod';
import { BaseConfig, Endpoint, MysqlConfig } from '../../platform/config.js';
import { EVENTS_STREAM } from '../../platform/outbox/events.js';

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

/** The analytics service's own config section; every field has a default. */
export const AnalyticsSection = z.object({
  /** The Redis Stream the outbox relays append domain events to. */
  stream: z.string().min(1).default(EVENTS_STREAM),
  /** The consumer group (instances of analytics share it: each event goes to one of them). */
  group: z.string().min(1).default('analytics'),
  /** Events read (and applied in one transaction) at a time. */
  batchSize: z.number().int().min(1).max(1_000).default(200),
  /** How long one XREADGROUP waits for new events. */
  blockMs: ms(10, 10_000).default(1_000),
  /** Events another consumer read but did not acknowledge for this long are taken over (it died). */
  claimIdleMs: ms(1_000, 3_600_000).default(30_000),
  /** Per-second aggregates are kept this long (the longest window of GetSummary). */
  seriesRetentionSeconds: z.number().int().min(60).max(86_400).default(3_600),
  /** Processed event ids are remembered this long, to drop redelivered duplicates. */
  dedupeRetentionHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** How often the in-memory view re-reads what other analytics instances wrote. */
  refreshMs: ms(100, 60_000).default(1_000),
  /** Scraping of the other processes' /metrics (latency percentiles, breaker states). */
  scrape: z
    .object({
      /** Every process's metrics URL (the stack plan fills it). */
      targets: z.array(z.url()).default([]),
      intervalMs: ms(200, 60_000).default(2_000),
      timeoutMs: ms(50, 30_000).default(1_000),
      /** Scrapes kept for windowed percentiles; longer windows use the oldest kept. */
      historySeconds: z.number().int().min(10).max(3_600).default(600),
    })
    .prefault({}),
  /** How many best-selling SKUs get their stock shown (asked from inventory). */
  hotSkus: z.number().int().min(0).max(50).default(5),
  stockRefreshMs: ms(200, 60_000).default(2_000),
  /** Seconds of per-second history the web dashboard charts. */
  dashboardSeconds: z.number().int().min(10).max(3_600).default(120),
  /** How often the web dashboard's event stream pushes a snapshot. */
  pushIntervalMs: ms(100, 60_000).default(1_000),
});
export type AnalyticsSection = z.infer<typeof AnalyticsSection>;

/** The config of one analytics instance: its database and Redis are required. */
export const AnalyticsConfig = BaseConfig.extend({
  mysql: MysqlConfig,
  redis: Endpoint,
  analytics: AnalyticsSection.prefault({}),
});
export type AnalyticsConfig = z.infer<typeof AnalyticsConfig>;
