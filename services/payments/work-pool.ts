import { Gauge, type Registry } from 'prom-client';
import { Piscina } from 'piscina';
import type { FraudFeatures } from './crypto-work.js';
import type { WorkTask } from './worker.js';

/** The CPU-bound work of payments, on worker threads. */
export interface WorkPool {
  fraudScore(features: FraudFeatures): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the worker pool (piscina) on `worker.js` beside this module (works from dist/, where both
 * are compiled JS): minThreads..maxThreads for fraud scoring. Queue, thread and utilisation gauges.
 * Request signing is not here: one HMAC costs ~7 µs inline and ~150 µs as a pool task (measured),
 * so it runs on the event loop (see index.ts).
 */
export function startWorkPool(opts: {
  minThreads: number;
  maxThreads: number;
  fraudRounds: number;
  registry: Registry;
}): WorkPool {
  const filename = new URL('./worker.js', import.meta.url).href;
  const pools = {
    scoring: new Piscina({
      filename,
      minThreads: opts.minThreads,
      maxThreads: opts.maxThreads,
      idleTimeout: 30_000,
    }),
  };
  new Gauge({
    name: 'ecom_payments_workers',
    help: 'Worker pools (piscina) by pool: threads, queued tasks, utilisation (0-1), completed tasks',
    labelNames: ['pool', 'stat'],
    registers: [opts.registry],
    collect() {
      for (const [pool, p] of Object.entries(pools)) {
        this.set({ pool, stat: 'threads' }, p.threads.length);
        this.set({ pool, stat: 'queued' }, p.queueSize);
        this.set({ pool, stat: 'utilization' }, p.utilization);
        this.set({ pool, stat: 'completed' }, p.completed);
      }
    },
  });
  return {
    fraudScore: (features) =>
      pools.scoring.run({
        kind: 'fraud',
        features,
        rounds: opts.fraudRounds,
      } satisfies WorkTask) as Promise<number>,
    stop: async () => {
      await pools.scoring.destroy();
    },
  };
}
