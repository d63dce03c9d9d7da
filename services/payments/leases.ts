import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../../platform/mysql.js';

/** The tables whose PENDING rows are driven under a lease; the id column of each. */
const ID: Record<LeasedTable, string> = { payments: 'payment_id', refunds: 'refund_id' };
export type LeasedTable = 'payments' | 'refunds';

/** A PENDING row whose lease has expired: the settler's work item. */
export interface DueRow {
  id: string;
  idempotencyKey: string;
  /** Time since the row was created, by the database clock. */
  ageMs: number;
}

/**
 * Leases on PENDING rows, timed by the database clock so instances never compare their own clocks.
 * At most one caller drives a PENDING row at a time: the one whose lease is current.
 */
export class Leases {
  constructor(
    private readonly pool: Pool,
    private readonly table: LeasedTable,
  ) {}

  /** Takes the lease of a PENDING row whose lease is free or expired; false when someone holds it. */
  async take(id: string, owner: string, ms: number): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE ${this.table}
          SET lease_owner = ?, lease_until = NOW(3) + INTERVAL ? * 1000 MICROSECOND, attempts = attempts + 1
        WHERE ${ID[this.table]} = ? AND status = 'PENDING' AND (lease_until IS NULL OR lease_until < NOW(3))`,
      [owner, Math.ceil(ms), id],
    );
    return res.affectedRows === 1;
  }

  /** Ends our lease early so a retry or the settler may take over at once. */
  async release(id: string, owner: string): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET lease_until = NOW(3)
        WHERE ${ID[this.table]} = ? AND status = 'PENDING' AND lease_owner = ?`,
      [id, owner],
    );
  }

  /** Deletes a PENDING row we hold (its request provably never reached the gateway). */
  async deleteHeld(id: string, owner: string): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `DELETE FROM ${this.table} WHERE ${ID[this.table]} = ? AND status = 'PENDING' AND lease_owner = ?`,
      [id, owner],
    );
    return res.affectedRows === 1;
  }

  /** PENDING rows whose lease expired at least `graceMs` ago, oldest lease first. */
  async due(limit: number, graceMs: number): Promise<DueRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${ID[this.table]} AS id, idempotency_key,
              TIMESTAMPDIFF(MICROSECOND, created_at, NOW(6)) DIV 1000 AS age_ms
         FROM ${this.table}
        WHERE status = 'PENDING' AND lease_until < NOW(3) - INTERVAL ? * 1000 MICROSECOND
        ORDER BY lease_until LIMIT ?`,
      [Math.ceil(graceMs), limit],
    );
    return rows.map((r) => ({ id: r.id, idempotencyKey: r.idempotency_key, ageMs: Number(r.age_ms) }));
  }
}
