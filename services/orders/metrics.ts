import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../../platform/metrics.js';
import { breakerGauge } from './breakers.js';

/** How a read was served (read-your-writes). */
export type ReadPath = 'replica' | 'replica_after_wait' | 'primary_fallback';

/** The orders service's own metrics. */
export interface OrdersMetrics {
  /** Orders that reached a terminal state, by outcome (confirmed/rejected/cancelled) and reason. */
  outcomes: Counter<'outcome' | 'reason'>;
  /** Duration of each saga step's dependency call, by step and result (ok/retry/gave-up…). */
  stepDuration: Histogram<'step' | 'result'>;
  /** Sagas adopted from an expired lease (a crashed or stuck instance). */
  recovered: Counter;
  /** Sagas running on this instance now. */
  inFlight: Gauge;
  /** ecom_breaker_state{target}: 0 closed, 1 half-open, 2 open. */
  breakerState: Gauge<'target'>;
  /** Reads by the path that served them. */
  reads: Counter<'path'>;
  /** Compensations that could not be applied and were recorded instead (need an operator). */
  compensationFailures: Counter<'step'>;
  /** PlaceOrder calls refused by admission control (instance at capacity). */
  shed: Counter;
  /** Reserve calls sent together in one ReserveMany (the inventory client's coalescing). */
  reserveBatch: Histogram;
}

/** Registers the orders metrics on `registry`. */
export function createOrdersMetrics(registry: Registry): OrdersMetrics {
  const registers = [registry];
  const reads = new Counter({
    name: 'ecom_orders_reads_total',
    help: 'GetOrder/ListOrders reads by path: replica, replica_after_wait (caught up to the caller GTID), primary_fallback',
    labelNames: ['path'],
    registers,
  });
  for (const path of ['replica', 'replica_after_wait', 'primary_fallback']) reads.inc({ path }, 0);
  return {
    outcomes: new Counter({
      name: 'ecom_orders_total',
      help: 'Orders that reached a terminal state, by outcome and reject reason',
      labelNames: ['outcome', 'reason'],
      registers,
    }),
    stepDuration: new Histogram({
      name: 'ecom_orders_saga_step_duration_seconds',
      help: 'Duration of saga steps (the dependency call and its settling), by step and result',
      labelNames: ['step', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    recovered: new Counter({
      name: 'ecom_orders_recovered_sagas_total',
      help: 'Sagas adopted after their runner lease expired',
      registers,
    }),
    shed: new Counter({
      name: 'ecom_orders_shed_total',
      help: 'PlaceOrder calls refused at once because the instance had maxInProgress orders in progress',
      registers,
    }),
    inFlight: new Gauge({
      name: 'ecom_orders_sagas_in_flight',
      help: 'Sagas running on this instance',
      registers,
    }),
    breakerState: breakerGauge(registry),
    reserveBatch: new Histogram({
      name: 'ecom_orders_inventory_reserve_batch_size',
      help: 'Reserve calls the inventory client sent together as one ReserveMany (a call alone is not counted)',
      buckets: [2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    reads,
    compensationFailures: new Counter({
      name: 'ecom_orders_compensation_failures_total',
      help: 'Compensating calls a dependency refused for good (recorded in saga_events)',
      labelNames: ['step'],
      registers,
    }),
  };
}
