import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Database } from '../../platform/mysql.js';

/** A saga runner's claim on an order. */
export interface Claim {
  instance: string;
  token: string;
  leaseMs: number;
}

/** SQL for "now + ? microseconds", the end of a lease. */
export const LEASE = 'NOW(3) + INTERVAL ? MICROSECOND';
/**
 * A finished saga drops its lease, except a CONFIRMED order whose cancel arrived meanwhile: that
 * one becomes claimable at once so the cancellation runs.
 */
export const DROP_LEASE =
  "IF(cancel_requested = 1 AND ? = 'CONFIRMED', NOW(3) - INTERVAL 1 MICROSECOND, NULL)";

/**
 * Saga runner leases on orders rows: renew, find expired, claim, release, hand over. A claim is
 * `claim_token` (fencing every saga write) and `lease_until`; NULL lease means no work left.
 */
export class Leases {
  constructor(private readonly db: Database) {}

  /** Extends a claim; false when it was lost (another runner owns the order, or it is finished). */
  async renew(orderId: string, claim: Claim): Promise<boolean> {
    const [res] = await this.db.primary.query<ResultSetHeader>(
      `UPDATE orders SET lease_until = ${LEASE} WHERE order_id = ? AND claim_token = ?`,
      [claim.leaseMs * 1000, orderId, claim.token],
    );
    return res.affectedRows === 1;
  }

  /**
   * Orders whose runner's lease expired (a crashed or stuck instance), oldest lease first, up to
   * `batch`; claim each with {@link claimOne} (a concurrent sweeper may win some).
   */
  async expired(batch: number): Promise<string[]> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      'SELECT order_id FROM orders WHERE lease_until < NOW(3) ORDER BY lease_until LIMIT ?',
      [batch],
    );
    return rows.map((r) => String(r.order_id));
  }

  /** Claims one order if it needs a runner and nobody holds a live lease on it. */
  async claimOne(orderId: string, claim: Claim): Promise<boolean> {
    const [res] = await this.db.primary.query<ResultSetHeader>(
      `UPDATE orders SET claimed_by = ?, claim_token = ?, lease_until = ${LEASE}
       WHERE order_id = ? AND lease_until < NOW(3)`,
      [claim.instance, claim.token, claim.leaseMs * 1000, orderId],
    );
    return res.affectedRows === 1;
  }

  /** Gives up a claim on an order that needs no more work (never one with a cancel to run). */
  async release(orderId: string, claimToken: string): Promise<void> {
    await this.db.primary.query(
      `UPDATE orders SET claimed_by = NULL, claim_token = NULL, lease_until = NULL
       WHERE order_id = ? AND claim_token = ? AND status <> 'PENDING' AND NOT (status = 'CONFIRMED' AND cancel_requested = 1)`,
      [orderId, claimToken],
    );
  }

  /** Hands an unfinished saga over at shutdown: its lease ends now, so any instance adopts it. */
  async handOver(orderId: string, claimToken: string): Promise<void> {
    await this.db.primary.query(
      `UPDATE orders SET claimed_by = NULL, claim_token = NULL, lease_until = NOW(3) - INTERVAL 1 MICROSECOND
       WHERE order_id = ? AND claim_token = ?`,
      [orderId, claimToken],
    );
  }
}
