import { createDatabase } from '../../platform/mysql.js';
import { startOutboxRelay } from '../../platform/outbox/relay.js';
import { createRedis } from '../../platform/redis.js';
import { runService } from '../../platform/service-main.js';
import { startLeaderElection } from '../../platform/zookeeper/leader.js';
import { createZkLocks } from '../../platform/zookeeper/lock.js';
import { connectZooKeeper } from '../../platform/zookeeper/session.js';
import { Batcher } from './batcher.js';
import { Catalog } from './catalog.js';
import { InventoryConfig } from './config.js';
import { createEngine } from './engine.js';
import { Inventory } from './inventory.js';
import { createInventoryMetrics } from './metrics.js';
import type { Op, OpResult } from './ops.js';
import { inventoryBinding } from './server.js';
import { startSweeper } from './sweeper.js';

await runService(InventoryConfig, async ({ config, logger, metrics, instanceName, lifecycle }) => {
  const section = config.inventory;
  const clock = () => new Date();
  if (section.lockStrategy === 'none') {
    logger.warn(
      '!!! lock strategy "none": stock is changed by unguarded read-check-write. THIS INSTANCE WILL OVERSELL ' +
        'under concurrency. It exists only to show what an oversell looks like; never use it for real traffic. !!!',
    );
  }
  // Multi-statement queries: a batch transaction is two round trips (engine.ts).
  const db = createDatabase(config.mysql, { logger, metrics }, { multipleStatements: true });
  lifecycle.add('mysql', db);
  const zk = await connectZooKeeper(config.zookeeper, logger);
  lifecycle.add('zookeeper', zk);

  const election = startLeaderElection(zk, { path: `${section.zkRoot}/leader`, id: instanceName, logger });
  const inv = createInventoryMetrics(metrics.registry, {
    zkAlive: () => zk.alive,
    zkGeneration: () => zk.generation,
    leader: () => election.isLeader(),
  });
  const engine = createEngine({
    db,
    zkLocks: createZkLocks(zk, { root: `${section.zkRoot}/locks`, logger }),
    config: section,
    metrics: inv,
    logger,
    instance: instanceName,
    clock,
  });
  const batcher = new Batcher<Op, OpResult>(
    { ...section.batching, maxKeysPerBatch: section.batching.maxSkusPerBatch },
    engine,
  );
  lifecycle.add('batcher', batcher);
  lifecycle.add('leader election', election);

  const catalog = new Catalog(db.primary);
  const inventory = new Inventory({ db, catalog, batcher, metrics: inv, config: section, logger });
  const sweeper = startSweeper({
    election,
    primary: db.primary,
    expire: (ids) => inventory.expire(ids),
    intervalMs: section.sweeper.intervalMs,
    batchSize: section.sweeper.batchSize,
    clock,
    logger,
  });
  lifecycle.add('expiry sweeper', sweeper);
  if (config.redis) {
    // Committed stock events go from the outbox table to the event stream (analytics consumes it).
    const events = createRedis(config.redis, logger);
    lifecycle.add('events redis', events);
    lifecycle.add(
      'outbox relay',
      startOutboxRelay({ pool: db.primary, redis: events.client, logger, registry: metrics.registry }),
    );
  } else logger.warn('redis: not configured, stock events stay in the outbox table');
  logger.info(
    {
      lockStrategy: section.lockStrategy,
      batching: section.batching,
      defaultTtlSeconds: section.defaultTtlSeconds,
    },
    'inventory configured',
  );
  return {
    bindings: [inventoryBinding({ inventory, catalog, db })],
    protoFiles: ['ecom/inventory/v1/inventory.proto'],
  };
});
