import type { Logger } from '../../platform/logger.js';
import type { Pool } from 'mysql2/promise';
import type { LeaderElection } from '../../platform/zookeeper/leader.js';
import { expiredOrderIds } from './store.js';

/** A running expiry sweeper; see {@link startSweeper}. */
export interface Sweeper {
  /** Runs one pass now (if leading); resolves with how many reservations it expired. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The expiry sweeper: every `intervalMs`, on the elected leader only, finds HELD reservations past
 * their TTL on the primary and expires them through `expire` — the same batched, locked path as
 * every other stock change, so a sweep racing a Commit on another instance is serialised by the
 * locks and exactly one of them wins. Two leaders for a moment (a paused old leader) are harmless:
 * expiring is idempotent.
 */
export function startSweeper(deps: {
  election: Pick<LeaderElection, 'isLeader'>;
  primary: Pool;
  expire: (orderIds: string[]) => Promise<number>;
  intervalMs: number;
  batchSize: number;
  clock: () => Date;
  logger: Logger;
}): Sweeper {
  let running: Promise<number> | undefined;
  let stopped = false;

  const pass = async (): Promise<number> => {
    if (stopped || !deps.election.isLeader()) return 0;
    const ids = await expiredOrderIds(deps.primary, deps.clock(), deps.batchSize);
    if (ids.length === 0) return 0;
    const n = await deps.expire(ids);
    if (n > 0) deps.logger.info({ expired: n }, 'expired reservations');
    return n;
  };
  const sweep = () =>
    (running ??= pass()
      .catch((err: unknown) => {
        deps.logger.warn({ err }, 'expiry sweep failed; retrying next interval');
        return 0;
      })
      .finally(() => (running = undefined)));

  const timer = setInterval(() => void sweep(), deps.intervalMs);
  timer.unref();
  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
