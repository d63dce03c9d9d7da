import { Counter, Histogram, type Registry } from 'prom-client';

/** The outbox relay's metrics. */
export interface RelayMetrics {
  relayed: Counter;
  errors: Counter;
  replayed: Counter;
  /** From the business commit (row created) to the event being in Redis. */
  delay: Histogram;
}

/** Outbox relay delay buckets in seconds: 10 ms to 5 min (a Redis outage shows as the tail). */
const DELAY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

function once<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** Registers (once per registry) the relay metrics. */
export function relayMetrics(registry: Registry): RelayMetrics {
  const registers = [registry];
  return {
    relayed: once(
      registry,
      'ecom_outbox_relayed_total',
      () =>
        new Counter({
          name: 'ecom_outbox_relayed_total',
          help: 'Outbox events appended to Redis',
          registers,
        }),
    ),
    errors: once(
      registry,
      'ecom_outbox_relay_errors_total',
      () =>
        new Counter({
          name: 'ecom_outbox_relay_errors_total',
          help: 'Relay batches that failed (rolled back; retried)',
          registers,
        }),
    ),
    replayed: once(
      registry,
      'ecom_outbox_replayed_total',
      () =>
        new Counter({
          name: 'ecom_outbox_replayed_total',
          help: 'Relayed events queued again because Redis restarted without them',
          registers,
        }),
    ),
    delay: once(
      registry,
      'ecom_outbox_relay_delay_seconds',
      () =>
        new Histogram({
          name: 'ecom_outbox_relay_delay_seconds',
          help: 'Time from the business commit to the event being appended to Redis',
          buckets: DELAY_BUCKETS,
          registers,
        }),
    ),
  };
}
