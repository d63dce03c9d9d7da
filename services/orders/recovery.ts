import type { Logger } from '../../platform/logger.js';
import type { OrdersMetrics } from './metrics.js';
import type { SagaRunner } from './saga-runner.js';
import type { OrderStore } from './store.js';

/** A started recovery sweep. */
export interface Recovery {
  /** Runs one sweep now; resolves with the number of sagas adopted. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Resumes the sagas of crashed (or stuck) instances. Every instance sweeps: orders whose runner's
 * lease expired are claimed one by one with a conditional UPDATE, so exactly one instance adopts
 * each, and its saga continues from the last persisted step. Leases instead of a ZooKeeper-elected
 * leader: the claim lives in the same row as the saga state, so ownership and fencing are one
 * conditional write, recovery load spreads over all instances, and a partition from ZooKeeper
 * cannot stall recovery.
 */
export function startRecovery(deps: {
  store: OrderStore;
  runner: SagaRunner;
  metrics: OrdersMetrics;
  logger: Logger;
  intervalMs: number;
  batch: number;
}): Recovery {
  const { store, runner, metrics, logger } = deps;
  let stopped = false;
  let current: Promise<number> | undefined;

  const sweep = async (): Promise<number> => {
    let adopted = 0;
    for (const orderId of await store.leases.expired(deps.batch)) {
      if (stopped) break;
      if (runner.get(orderId)) continue;
      const claim = runner.newClaim();
      const claimedAt = Date.now();
      if (!(await store.leases.claimOne(orderId, claim))) continue;
      adopted++;
      metrics.recovered.inc();
      logger.info({ orderId }, 'adopted a saga whose lease expired');
      runner.start(orderId, claim, claimedAt);
    }
    return adopted;
  };

  const tick = () => {
    if (stopped || current) return;
    current = sweep()
      .catch((err: unknown) => {
        logger.warn({ err }, 'recovery sweep failed');
        return 0;
      })
      .finally(() => {
        current = undefined;
      });
  };
  // Jitter spreads the instances' sweeps so they rarely race for the same rows.
  const timer = setInterval(
    () => setTimeout(tick, Math.random() * deps.intervalMs * 0.5).unref(),
    deps.intervalMs,
  );
  timer.unref();
  tick();

  return {
    sweep: () => (current ??= sweep().finally(() => (current = undefined))),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current?.catch(() => undefined);
    },
  };
}
