import { createClient } from '../../platform/grpc/client.js';
import { createDatabase } from '../../platform/mysql.js';
import { createRedis } from '../../platform/redis.js';
import { runService } from '../../platform/service-main.js';
import { InventoryServiceService } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { AggregateStore } from './agg-store.js';
import { AnalyticsConfig } from './config.js';
import { startConsumer } from './consumer.js';
import { dashboardHttp } from './dashboard/http.js';
import { startHotStock } from './hot-stock.js';
import { eventHandler } from './ingest.js';
import { createAnalyticsMetrics } from './metrics.js';
import { startReadModel } from './read-model.js';
import { startScraper } from './scraper.js';
import { ScrapeHistory } from './scrapes.js';
import { ANALYTICS_PROTO_FILES, analyticsBinding } from './server.js';
import { hotSkus, type SummarySources } from './summary.js';
import { AggregateView } from './view.js';

// Analytics: consumes the domain events (Redis Stream, consumer group), keeps idempotent counters
// in its database, scrapes every process's /metrics, and serves GetSummary / WatchSummary /
// TopSkus over gRPC and the live dashboard on its HTTP port.
await runService(AnalyticsConfig, async ({ config, logger, metrics, instanceName, lifecycle }) => {
  const a = config.analytics;
  const db = createDatabase(config.mysql, { logger, metrics });
  lifecycle.add('mysql', db);
  const store = new AggregateStore(db);
  const view = new AggregateView();
  const scrapes = new ScrapeHistory(a.scrape.historySeconds * 1_000);
  const am = createAnalyticsMetrics(metrics.registry, { scrapes, replica: db.replica });

  const readModel = startReadModel({
    store,
    view,
    refreshMs: a.refreshMs,
    retentionSeconds: a.seriesRetentionSeconds,
    dedupeRetentionHours: a.dedupeRetentionHours,
    logger,
  });
  lifecycle.add('read model', readModel);

  // XREADGROUP blocks: its own connection, with a command timeout longer than the block.
  const redis = createRedis(config.redis, logger, { commandTimeoutMs: a.blockMs + 5_000 });
  lifecycle.add('redis', redis);
  const consumer = startConsumer({
    redis: redis.client,
    stream: a.stream,
    group: a.group,
    consumer: instanceName,
    batchSize: a.batchSize,
    blockMs: a.blockMs,
    claimIdleMs: a.claimIdleMs,
    handle: eventHandler({ store, metrics: am, logger, onApplied: () => readModel.kick() }),
    logger,
  });
  lifecycle.add('event consumer', consumer);

  const scraper = startScraper({ ...a.scrape, history: scrapes, logger });
  lifecycle.add('scraper', scraper);
  const inventory = config.peers.inventory
    ? createClient(InventoryServiceService, {
        name: 'inventory',
        addresses: config.peers.inventory,
        defaultDeadlineMs: 1_000,
        metrics,
      })
    : undefined;
  if (inventory) lifecycle.add('inventory client', async () => inventory.close());
  const stock = startHotStock({
    inventory,
    pick: () => hotSkus(view, Date.now(), a.hotSkus),
    intervalMs: a.stockRefreshMs,
    logger,
  });
  lifecycle.add('hot stock', stock);

  const sources: SummarySources = { view, scrapes, stock, hotSkus: a.hotSkus, now: Date.now };
  const dashboard = dashboardHttp({
    sources,
    instance: instanceName,
    seconds: a.dashboardSeconds,
    pushIntervalMs: a.pushIntervalMs,
    maxWindowSeconds: a.seriesRetentionSeconds,
    logger,
  });
  lifecycle.add('dashboard streams', dashboard);
  return {
    bindings: [analyticsBinding(sources, a.seriesRetentionSeconds)],
    protoFiles: ANALYTICS_PROTO_FILES,
    httpHandler: dashboard.handler,
  };
});
