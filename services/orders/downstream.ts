import type { Gauge, Histogram } from 'prom-client';
import { createClient, type CallOptions, type PromiseClient } from '../../platform/grpc/client.js';
import type { Metrics } from '../../platform/metrics.js';
import { PaymentsServiceService } from '../../proto/gen/ecom/payments/v1/payments.js';
import { createInventoryClient, type InventoryClient } from '../inventory/client.js';
import { createBreaker, type Breaker, type Target } from './breakers.js';
import type { OrdersSection } from './config.js';

export type PaymentsClient = PromiseClient<typeof PaymentsServiceService>;

/** The saga's dependencies: gRPC clients over every instance, each behind its breaker. */
export interface Downstream {
  readonly inventory: InventoryClient;
  readonly payments: PaymentsClient;
  readonly breakers: Readonly<Record<Target, Breaker>>;
  /**
   * Calls a dependency through its breaker with a deadline (default: `callDeadlineMs`).
   * @example d.call('inventory', (o) => d.inventory.commit({ orderId }, o))
   */
  call<T>(target: Target, fn: (opts: CallOptions) => Promise<T>, deadlineMs?: number): Promise<T>;
  /** Like {@link call} for a re-ask (a read settling an earlier call): refused while open, not counted. */
  ask<T>(target: Target, fn: (opts: CallOptions) => Promise<T>, deadlineMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Connects to inventory and payments (addresses from `peers`); throws naming a missing peer. */
export function createDownstream(opts: {
  peers: { inventory?: string[]; payments?: string[] };
  orders: OrdersSection;
  metrics: Metrics;
  breakerGauge: Gauge<'target'>;
  /** Observes the size of every ReserveMany the inventory client sends. */
  reserveBatch?: Histogram;
}): Downstream {
  const { peers, orders } = opts;
  if (!peers.inventory) throw new Error('peers.inventory: orders needs the inventory addresses');
  if (!peers.payments) throw new Error('peers.payments: orders needs the payments addresses');
  const common = { defaultDeadlineMs: orders.callDeadlineMs, metrics: opts.metrics };
  const inventory = createInventoryClient({
    name: 'inventory',
    addresses: peers.inventory,
    coalesceReserves: orders.coalesceReserves,
    onBatch: (n) => opts.reserveBatch?.observe(n),
    ...common,
  });
  const payments = createClient(PaymentsServiceService, {
    name: 'payments',
    addresses: peers.payments,
    ...common,
  });
  const breakers = {
    inventory: createBreaker('inventory', orders.breakers.inventory, opts.breakerGauge),
    payments: createBreaker('payments', orders.breakers.payments, opts.breakerGauge),
  };
  return {
    inventory,
    payments,
    breakers,
    call: (target, fn, deadlineMs = orders.callDeadlineMs) => breakers[target].fire(() => fn({ deadlineMs })),
    ask: (target, fn, deadlineMs = orders.callDeadlineMs) => breakers[target].guard(() => fn({ deadlineMs })),
    async stop() {
      for (const b of Object.values(breakers)) b.stop();
      inventory.close();
      payments.close();
    },
  };
}
