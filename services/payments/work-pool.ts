import { Gauge, type Registry } from 'prom-client';
import { Piscina } from 'piscina';
import type { FraudFeatures } from './crypto-work.js';
import type { WorkTask } from './worker.js';

/** The CPU-bound work of payments, on worker threads. */
export interface WorkPool {
  /** Hex HMAC-SHA256 of the payload with the signing secret. */
  sign(payload: string): Promise<string>;
  fraudScore(features: FraudFeatures): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the worker pools (piscina) on `worker.js` beside this module (works from dist/, where
 * both are compiled JS): one thread for request signing, so a signature never queues behind fraud
 * scores, and minThreads..maxThreads for fraud scoring. Queue, thread and utilisation gauges.
 */
export function startWorkPool(opts: {
  minThreads: number;
  maxThreads: number;
  fraudRounds: number;
  signingSecret: string | undefined;
  registry: Registry;
}): WorkPool {
  const filename = new URL('./worker.js', import.meta.url).href;
  const workerData = { signingSecret: opts.signingSecret };
  const pools = {
    signing: new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: 30_000, workerData }),
    scoring: new Piscina({
      filename,
      minThreads: opts.minThreads,
      maxThreads: opts.maxThreads,
      idleTimeout: 30_000,
      workerData,
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
    sign: (payload) => pools.signing.run({ kind: 'sign', payload } satisfies WorkTask) as Promise<string>,
    fraudScore: (features) =>
      pools.scoring.run({
        kind: 'fraud',
        features,
        rounds: opts.fraudRounds,
      } satisfies WorkTask) as Promise<number>,
    stop: async () => {
      await Promise.all([pools.signing.destroy(), pools.scoring.destroy()]);
    },
  };
}
