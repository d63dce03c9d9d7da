import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../platform/logger.js';
import type { Breaker } from './breaker.js';
import type { DueRow, Leases } from './leases.js';

/** One kind of row the settler looks after (payments, refunds). */
export interface SettleTarget {
  kind: 'payment' | 'refund';
  leases: Leases;
  settleDue(due: DueRow): Promise<'settled' | 'abandoned' | 'left' | 'busy'>;
}

/**
 * Every intervalMs, settles PENDING payments and refunds whose lease expired (a crashed or timed
 * out caller left them) by asking the gateway. Every instance runs one; leases keep them from
 * working on the same row. Skips a round while the gateway breaker refuses calls.
 */
export function startSettler(opts: {
  targets: SettleTarget[];
  breaker: Breaker;
  intervalMs: number;
  graceMs: number;
  batchSize: number;
  logger: Logger;
  registry: Registry;
}): { stop(): Promise<void> } {
  const settled = new Counter({
    name: 'ecom_payments_settler_total',
    help: 'PENDING rows the settler handled, by kind and result (settled, abandoned, left, busy)',
    labelNames: ['kind', 'result'],
    registers: [opts.registry],
  });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  const runRound = async () => {
    for (const t of opts.targets) {
      if (stopped || opts.breaker.refusing()) return;
      const due = await t.leases.due(opts.batchSize, opts.graceMs);
      for (const row of due) {
        if (stopped) return;
        const result = await t.settleDue(row);
        settled.inc({ kind: t.kind, result });
        if (result !== 'busy') opts.logger.info({ kind: t.kind, id: row.id, result }, 'settler');
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    // Jitter keeps the instances' rounds apart.
    timer = setTimeout(
      () => {
        round = runRound()
          .catch((err: unknown) => opts.logger.warn({ err }, 'settler round failed'))
          .finally(schedule);
      },
      opts.intervalMs * (0.75 + Math.random() * 0.5),
    );
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
