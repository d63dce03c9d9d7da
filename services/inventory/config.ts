import { z } from 'zod';
import { BaseConfig } from '../../platform/config.js';
import { LOCK_STRATEGIES } from '../../stack/types.js';

export { LOCK_STRATEGIES };
export type { LockStrategy } from '../../stack/types.js';

/** Group commit of stock-changing requests (issue #9). */
export const BatchingConfig = z.object({
  /** Off: every request is its own transaction with its own locks (the per-order path). */
  enabled: z.boolean().default(true),
  /** Most requests applied in one transaction. */
  maxBatch: z.number().int().min(1).max(1_000).default(128),
  /** How long the first queued request may wait for company before its batch starts (0: next tick). */
  maxWaitMs: z.number().int().min(0).max(1_000).default(0),
  /** Batches of one instance in flight at once (on disjoint SKU sets). */
  maxConcurrent: z.number().int().min(1).max(64).default(4),
  /** Most distinct SKUs (hence ZooKeeper locks) in one batch. */
  maxSkusPerBatch: z.number().int().min(1).max(1_000).default(32),
});
export type BatchingConfig = z.infer<typeof BatchingConfig>;

/** Test-only fault hooks; all off by default. Never set them in a real stack. */
export const FaultsConfig = z.object({
  /**
   * Batches holding an order whose id starts with `orderPrefix` pause for `ms`: right after taking
   * their ZooKeeper locks (`after-locks`), or inside the transaction between reading and writing
   * the stock (`after-read`). Tests SIGSTOP the instance during the pause.
   */
  pauses: z
    .array(
      z.object({
        orderPrefix: z.string().min(1),
        at: z.enum(['after-locks', 'after-read']),
        ms: z.number().int().min(0).max(120_000),
      }),
    )
    .default([]),
  /**
   * Skip the in-process "ZooKeeper session still alive" check before writing, so that only the
   * database fence stands between a stale lock holder and the stock (the fencing test proves it).
   */
  ignoreSessionLoss: z.boolean().default(false),
});

/** The inventory service's own section. */
export const InventorySection = z.object({
  /** How stock writes are kept from overselling; `none` is deliberately unsafe. */
  lockStrategy: z.enum(LOCK_STRATEGIES).default('zk+db'),
  /** TTL of a reservation when the request gives none. */
  defaultTtlSeconds: z.number().int().min(1).max(86_400).default(900),
  /** A SKU's total available stock below this publishes stock.low (reaching 0 publishes stock.out). */
  stockLowThreshold: z.number().int().min(1).max(1_000_000).default(10),
  /** How long a batch may wait for its ZooKeeper locks. */
  lockTimeoutMs: z.number().int().min(10).max(120_000).default(5_000),
  /** innodb_lock_wait_timeout of this service's connections (a frozen holder blocks no longer). */
  dbLockWaitTimeoutSeconds: z.number().int().min(1).max(3_600).default(5),
  /** Attempts of a batch transaction that hit a deadlock, lock-wait timeout or duplicate key. */
  maxAttempts: z.number().int().min(1).max(20).default(4),
  /** ZooKeeper folder for locks and the leader election. */
  zkRoot: z
    .string()
    .regex(/^(\/[A-Za-z0-9._-]+)+$/, 'an absolute ZooKeeper path like /ecom/inventory')
    .default('/ecom/inventory'),
  batching: BatchingConfig.default(BatchingConfig.parse({})),
  sweeper: z
    .object({
      /** How often the leader looks for expired reservations. */
      intervalMs: z.number().int().min(50).max(600_000).default(1_000),
      /** Most reservations expired per pass. */
      batchSize: z.number().int().min(1).max(10_000).default(500),
    })
    .default({ intervalMs: 1_000, batchSize: 500 }),
  faults: FaultsConfig.default(FaultsConfig.parse({})),
});
export type InventorySection = z.infer<typeof InventorySection>;

/** The inventory process's config: the base plus `inventory`; MySQL and ZooKeeper are required. */
export const InventoryConfig = BaseConfig.extend({
  mysql: BaseConfig.shape.mysql.unwrap(),
  zookeeper: BaseConfig.shape.zookeeper.unwrap(),
  inventory: InventorySection.default(InventorySection.parse({})),
});
export type InventoryConfig = z.infer<typeof InventoryConfig>;
