import type { RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../../platform/logger.js';
import type { Database, Pool } from '../../platform/mysql.js';
import type { OrdersMetrics } from './metrics.js';

/** Routes reads for read-your-writes. */
export interface ReadRouter {
  /**
   * Runs `read` on the replica; when the caller sent the GTID of its last write, first waits (up to
   * `waitMs`) for the replica to apply it, else reads the primary. `stale(result)` true (e.g. not
   * found: maybe just not replicated yet) re-reads the primary. Counts the path taken.
   */
  read<T>(gtid: string | undefined, read: (pool: Pool) => Promise<T>, stale?: (t: T) => boolean): Promise<T>;
}

/** Creates the router over a database's replica and primary. */
export function createReadRouter(deps: {
  db: Database;
  metrics: OrdersMetrics;
  logger: Logger;
  waitMs: number;
}): ReadRouter {
  const { db, metrics, logger } = deps;
  const primary = async <T>(read: (pool: Pool) => Promise<T>) => {
    metrics.reads.inc({ path: 'primary_fallback' });
    return read(db.primary);
  };
  /** Did the replica reach `gtid` within the bound? A replica error counts as no. */
  const caughtUp = async (gtid: string): Promise<boolean> => {
    try {
      const [rows] = await db.replica.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, ?) AS r', [
        gtid,
        deps.waitMs / 1000,
      ]);
      return Number(rows[0]?.r) === 0;
    } catch (err) {
      logger.warn({ err }, 'replica GTID wait failed: reading the primary');
      return false;
    }
  };
  return {
    async read<T>(gtid: string | undefined, read: (pool: Pool) => Promise<T>, stale?: (t: T) => boolean) {
      if (gtid !== undefined && !(await caughtUp(gtid))) return primary(read);
      let result: T;
      try {
        result = await read(db.replica);
      } catch (err) {
        logger.warn({ err }, 'replica read failed: reading the primary');
        return primary(read);
      }
      if (stale?.(result)) return primary(read);
      metrics.reads.inc({ path: gtid === undefined ? 'replica' : 'replica_after_wait' });
      return result;
    },
  };
}
