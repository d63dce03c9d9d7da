import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../../platform/metrics.js';

/** The inventory service's own metrics. */
export interface InventoryMetrics {
  /** Time spent waiting for locks: `lock` = "zk" (the ZooKeeper locks of a batch) or "db" (FOR UPDATE). */
  lockWait: Histogram<'lock'>;
  /** Time locks were held, from acquired to released (zk) or to COMMIT (db). */
  lockHold: Histogram<'lock'>;
  /** Stock-changing requests by op and outcome (reserved, out_of_stock, replay, committed, ...). */
  reservations: Counter<'op' | 'outcome'>;
  /** Requests per batch transaction. */
  batchSize: Histogram;
  /** Batches refused by the database fence (a stale ZooKeeper lock holder). */
  fenced: Counter;
  /** Batch transactions retried after a deadlock, lock-wait timeout or duplicate key. */
  retries: Counter<'reason'>;
  /** 1 while the ZooKeeper session is believed alive. */
  zkSession: Gauge;
  /** Current ZooKeeper session generation (increases when a lost session is replaced). */
  zkGeneration: Gauge;
  /** 1 while this instance leads (runs the expiry sweeper). */
  leader: Gauge;
  /** Reservations released by the expiry sweeper. */
  expired: Counter;
}

/** Live values the gauges read at scrape time. */
export interface InventoryProbes {
  zkAlive(): boolean;
  zkGeneration(): number;
  leader(): boolean;
}

/** Registers the inventory metrics on the process registry. */
export function createInventoryMetrics(registry: Registry, probes?: InventoryProbes): InventoryMetrics {
  const registers = [registry];
  return {
    lockWait: new Histogram({
      name: 'ecom_inventory_lock_wait_seconds',
      help: 'Time a batch waited for its locks',
      labelNames: ['lock'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    lockHold: new Histogram({
      name: 'ecom_inventory_lock_hold_seconds',
      help: 'Time a batch held its locks',
      labelNames: ['lock'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    reservations: new Counter({
      name: 'ecom_inventory_reservations_total',
      help: 'Reservation and stock requests by op and outcome',
      labelNames: ['op', 'outcome'],
      registers,
    }),
    batchSize: new Histogram({
      name: 'ecom_inventory_batch_size',
      help: 'Requests applied per batch transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    }),
    fenced: new Counter({
      name: 'ecom_inventory_fenced_total',
      help: 'Batches the database fence refused (stale lock holder)',
      registers,
    }),
    retries: new Counter({
      name: 'ecom_inventory_batch_retries_total',
      help: 'Batch transactions retried',
      labelNames: ['reason'],
      registers,
    }),
    zkSession: new Gauge({
      name: 'ecom_inventory_zookeeper_session_alive',
      help: '1 while the ZooKeeper session is believed alive',
      registers,
      collect() {
        if (probes) this.set(probes.zkAlive() ? 1 : 0);
      },
    }),
    zkGeneration: new Gauge({
      name: 'ecom_inventory_zookeeper_session_generation',
      help: 'ZooKeeper session generation (increases on every replaced session)',
      registers,
      collect() {
        if (probes) this.set(probes.zkGeneration());
      },
    }),
    leader: new Gauge({
      name: 'ecom_inventory_leader',
      help: '1 while this instance is the elected leader (runs the expiry sweeper)',
      registers,
      collect() {
        if (probes) this.set(probes.leader() ? 1 : 0);
      },
    }),
    expired: new Counter({
      name: 'ecom_inventory_expired_total',
      help: 'Reservations released by the expiry sweeper',
      registers,
    }),
  };
}
