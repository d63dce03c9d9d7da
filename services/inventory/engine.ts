import { Unavailable } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { runStatements, type Database } from '../../platform/mysql.js';
import type { HeldLocks, ZkLocks } from '../../platform/zookeeper/lock.js';
import { applyOps } from './apply.js';
import type { InventorySection } from './config.js';
import { outbox } from '../../platform/outbox/outbox.js';
import { stockEvents } from '../../platform/outbox/stock-events.js';
import { batchReads, batchWrites, ensureStockRows, type Stmt } from './batch-sql.js';
import { checkFenceClaim, Fenced, fenceClaim } from './fence.js';
import type { InventoryMetrics } from './metrics.js';
import { orderIdOf, skusOf, type Op, type OpResult } from './ops.js';

/** What the batch engine needs. */
export interface EngineDeps {
  db: Database;
  /** Required by the `zk+db` and `zk` strategies. */
  zkLocks?: ZkLocks;
  config: InventorySection;
  metrics: InventoryMetrics;
  logger: Logger;
  /** Written into every ledger row. */
  instance: string;
  clock: () => Date;
}

/** Applies a batch of ops in one transaction; one result per op. See {@link createEngine}. */
export type ApplyBatch = (ops: Op[]) => Promise<OpResult[]>;

/**
 * The reservation engine: applies a batch of stock-changing ops in ONE database transaction,
 * guarded by the configured lock strategy:
 *
 * | strategy | ZooKeeper locks (per SKU, global order) | fence claim | stock rows read |
 * |----------|-----------------------------------------|-------------|-----------------|
 * | zk+db    | yes                                     | yes         | FOR UPDATE      |
 * | db       | no                                      | no          | FOR UPDATE      |
 * | zk       | yes                                     | yes         | plain           |
 * | none     | no                                      | no          | plain (unsafe)  |
 *
 * Locks are taken once per batch for the union of its SKUs; the fence is claimed once per SKU per
 * batch (fence.ts); rows are read once, the ops are applied one after another in memory (apply.ts)
 * and each changed row is written once. The transaction costs two database round trips whatever the
 * batch's size: [START TRANSACTION, fence claim, reads] then [writes, COMMIT] (multi-statement).
 * Deadlocks, lock-wait timeouts and duplicate keys (two instances inserting the same order at once)
 * retry the transaction under the same locks.
 */
export function createEngine(deps: EngineDeps): ApplyBatch {
  const { config, metrics } = deps;
  const strategy = config.lockStrategy;
  const usesZk = strategy === 'zk+db' || strategy === 'zk';
  const locksRows = strategy === 'zk+db' || strategy === 'db';
  if (usesZk && !deps.zkLocks) throw new Error(`lock strategy ${strategy} needs ZooKeeper locks`);
  const prepared = new WeakSet<object>();

  /** One transaction in two round trips: [start, claim fences, read] and [write, commit]. */
  const transaction = async (ops: Op[], skus: string[], locks: HeldLocks | undefined) => {
    const conn = await deps.db.primary.getConnection();
    const core = (conn as unknown as { connection?: object }).connection ?? conn;
    let open = false;
    let broken = false;
    try {
      if (locks && !config.faults.ignoreSessionLoss && !locks.valid()) throw sessionLost();
      const first: Stmt[] = [];
      if (!prepared.has(core)) {
        first.push({
          sql: 'SET SESSION innodb_lock_wait_timeout = ?',
          params: [config.dbLockWaitTimeoutSeconds],
        });
      }
      first.push({ sql: 'START TRANSACTION', params: [] }, ...ensureStockRows(stockRowsToEnsure(ops)));
      const fenceAt = first.length;
      if (locks) first.push(...fenceClaim(locks.tokens));
      const read = batchReads({
        skus,
        orderIds: [...new Set(ops.map(orderIdOf).filter((id) => id !== undefined))],
        keys: [
          ...new Set(
            ops.flatMap((op) => ('idempotencyKey' in op && op.idempotencyKey ? [op.idempotencyKey] : [])),
          ),
        ],
        locking: locksRows,
      });
      const readAt = first.length;
      first.push(...read.stmts);
      open = true;
      const readStarted = performance.now();
      const results = await runStatements(conn, first);
      prepared.add(core);
      if (locksRows) metrics.lockWait.observe({ lock: 'db' }, (performance.now() - readStarted) / 1_000);
      if (locks) checkFenceClaim(locks.tokens, results[fenceAt], results[fenceAt + 1]);
      const rows = read.parse(results.slice(readAt));
      await pauseIfAsked(ops, 'after-read', config.faults, deps.logger);
      const now = deps.clock();
      const changes = applyOps(ops, { now, ...rows });
      if (locks && !config.faults.ignoreSessionLoss && !locks.valid()) throw sessionLost();
      const writes = batchWrites(changes, { now, instance: deps.instance, fenceTokens: locks?.tokens });
      // stock.low / stock.out events ride the same COMMIT (transactional outbox): never lost, never phantom.
      const publish = outbox.statement(
        stockEvents(rows.stock, changes.stock, {
          lowThreshold: config.stockLowThreshold,
          source: deps.instance,
          now,
        }),
      );
      if (publish) writes.push(publish);
      await runStatements(conn, [...writes, { sql: 'COMMIT', params: [] }]);
      open = false;
      if (locksRows) metrics.lockHold.observe({ lock: 'db' }, (performance.now() - readStarted) / 1_000);
      return changes.results;
    } catch (err) {
      if (open) await conn.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  };

  const apply = async (ops: Op[]) => {
    const skus = [...new Set(ops.flatMap(skusOf))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    metrics.batchSize.observe(ops.length);
    let locks: HeldLocks | undefined;
    if (usesZk) {
      const waitStarted = performance.now();
      locks = await deps.zkLocks!.acquireAll(skus, { timeoutMs: config.lockTimeoutMs });
      metrics.lockWait.observe({ lock: 'zk' }, (performance.now() - waitStarted) / 1_000);
    }
    const heldSince = performance.now();
    try {
      await pauseIfAsked(ops, 'after-locks', config.faults, deps.logger);
      for (let attempt = 1; ; attempt++) {
        try {
          return await transaction(ops, skus, locks);
        } catch (err) {
          if (err instanceof Fenced) {
            metrics.fenced.inc();
            deps.logger.warn(
              { stale: err.stale },
              'batch refused by the fence: a newer lock holder wrote first',
            );
            throw err;
          }
          const reason = retryReason(err);
          if (!reason || attempt >= config.maxAttempts) throw err;
          metrics.retries.inc({ reason });
        }
      }
    } finally {
      if (locks) {
        // Not awaited: the answer does not depend on it, and this session's next request (a new
        // lock node) is processed after the delete anyway (one connection, in order).
        const held = locks;
        void held
          .release()
          .finally(() => metrics.lockHold.observe({ lock: 'zk' }, (performance.now() - heldSince) / 1_000));
      }
    }
  };
  return apply;
}

function sessionLost(): Unavailable {
  return new Unavailable('ZooKeeper session lost while holding stock locks; retry');
}

/** The stock rows Restock / Adjust / Transfer write, which may not exist yet. */
function stockRowsToEnsure(ops: Op[]): { sku: string; warehouseId: string }[] {
  return ops.flatMap((op) =>
    op.kind === 'receive' || op.kind === 'adjust'
      ? [{ sku: op.sku, warehouseId: op.warehouseId }]
      : op.kind === 'transfer'
        ? [
            { sku: op.sku, warehouseId: op.fromWarehouseId },
            { sku: op.sku, warehouseId: op.toWarehouseId },
          ]
        : [],
  );
}

/** Deadlocks, lock-wait timeouts and duplicate inserts are worth another attempt. */
function retryReason(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ER_LOCK_DEADLOCK') return 'deadlock';
  if (code === 'ER_LOCK_WAIT_TIMEOUT') return 'lock_wait_timeout';
  if (code === 'ER_DUP_ENTRY') return 'duplicate';
  return undefined;
}

/** Test fault hook: a batch holding a matching order pauses at the given point. */
async function pauseIfAsked(
  ops: Op[],
  at: 'after-locks' | 'after-read',
  faults: InventorySection['faults'],
  logger: Logger,
): Promise<void> {
  for (const pause of faults.pauses) {
    if (pause.at !== at) continue;
    const hit = ops.map(orderIdOf).find((id) => id?.startsWith(pause.orderPrefix));
    if (!hit) continue;
    logger.warn({ orderId: hit, at, ms: pause.ms }, 'fault hook: pausing while holding the locks');
    await new Promise((r) => setTimeout(r, pause.ms));
  }
}
