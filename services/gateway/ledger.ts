import type { RowDataPacket, ResultSetHeader } from 'mysql2/promise';
import type { Database, PoolConnection } from '../../platform/mysql.js';

/** A charge as the ledger holds it (see migrations/001_ledger.sql). */
export interface ChargeRow {
  chargeId: string;
  idempotencyKey: string;
  requestHash: string;
  orderId: string | null;
  userId: string | null;
  amountMinor: number;
  currency: string;
  status: 'declined' | 'authorized' | 'captured';
  capturedMinor: number;
  refundedMinor: number;
  failureCode: string | null;
  metadata: Record<string, string>;
  createdAt: Date;
  capturedAt: Date | null;
}

/** A succeeded refund. */
export interface RefundRow {
  refundId: string;
  idempotencyKey: string;
  requestHash: string;
  chargeId: string;
  orderId: string | null;
  amountMinor: number;
  currency: string;
  reason: string | null;
  createdAt: Date;
}

const CHARGE_COLUMNS = `charge_id, idempotency_key, request_hash, order_id, user_id, amount_minor, currency,
  status, captured_minor, refunded_minor, failure_code, metadata_json, created_at, captured_at`;
const REFUND_COLUMNS = `refund_id, idempotency_key, request_hash, charge_id, order_id, amount_minor, currency,
  reason, created_at`;

/** The SQL of the gateway's ledger; the only code that knows its tables. */
export class Ledger {
  constructor(private readonly db: Database) {}

  async chargeBy(column: 'charge_id' | 'idempotency_key', value: string): Promise<ChargeRow | undefined> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT ${CHARGE_COLUMNS} FROM charges WHERE ${column} = ?`,
      [value],
    );
    return rows[0] ? toCharge(rows[0]) : undefined;
  }

  async chargesByOrder(orderId: string): Promise<ChargeRow[]> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT ${CHARGE_COLUMNS} FROM charges WHERE order_id = ? ORDER BY created_at LIMIT 100`,
      [orderId],
    );
    return rows.map(toCharge);
  }

  /** Inserts a charge; false when its idempotency key (or id) already exists. */
  async insertCharge(c: Omit<ChargeRow, 'createdAt' | 'capturedAt'>): Promise<boolean> {
    try {
      await this.db.primary.query(
        `INSERT INTO charges (charge_id, idempotency_key, request_hash, order_id, user_id, amount_minor,
           currency, status, captured_minor, refunded_minor, failure_code, metadata_json, captured_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, IF(? = 'captured', CURRENT_TIMESTAMP(6), NULL))`,
        [
          c.chargeId,
          c.idempotencyKey,
          c.requestHash,
          c.orderId,
          c.userId,
          c.amountMinor,
          c.currency,
          c.status,
          c.capturedMinor,
          c.failureCode,
          JSON.stringify(c.metadata),
          c.status,
        ],
      );
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
      throw err;
    }
  }

  /** Captures an authorized charge; false when it was not authorized (any more). */
  async capture(chargeId: string, amountMinor: number): Promise<boolean> {
    const [res] = await this.db.primary.query<ResultSetHeader>(
      `UPDATE charges SET status = 'captured', captured_minor = ?, captured_at = CURRENT_TIMESTAMP(6)
        WHERE charge_id = ? AND status = 'authorized' AND amount_minor >= ?`,
      [amountMinor, chargeId, amountMinor],
    );
    return res.affectedRows === 1;
  }

  async refundBy(column: 'refund_id' | 'idempotency_key', value: string): Promise<RefundRow | undefined> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT ${REFUND_COLUMNS} FROM refunds WHERE ${column} = ?`,
      [value],
    );
    return rows[0] ? toRefund(rows[0]) : undefined;
  }

  /**
   * Runs `fn` with the charge locked (SELECT … FOR UPDATE) in a transaction, so refunds of one
   * charge are decided one at a time.
   */
  withLockedCharge<T>(
    chargeId: string,
    fn: (charge: ChargeRow | undefined, tx: LedgerTx) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT ${CHARGE_COLUMNS} FROM charges WHERE charge_id = ? FOR UPDATE`,
        [chargeId],
      );
      return fn(rows[0] ? toCharge(rows[0]) : undefined, new LedgerTx(conn));
    });
  }
}

/** Writes inside {@link Ledger.withLockedCharge}. */
export class LedgerTx {
  constructor(private readonly conn: PoolConnection) {}

  /** Records a refund and adds it to its charge; throws ER_DUP_ENTRY when the key exists. */
  async addRefund(r: Omit<RefundRow, 'createdAt'>): Promise<void> {
    await this.conn.query(
      `INSERT INTO refunds (refund_id, idempotency_key, request_hash, charge_id, order_id, amount_minor,
         currency, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        r.refundId,
        r.idempotencyKey,
        r.requestHash,
        r.chargeId,
        r.orderId,
        r.amountMinor,
        r.currency,
        r.reason,
      ],
    );
    await this.conn.query('UPDATE charges SET refunded_minor = refunded_minor + ? WHERE charge_id = ?', [
      r.amountMinor,
      r.chargeId,
    ]);
  }
}

function toCharge(r: RowDataPacket): ChargeRow {
  return {
    chargeId: r.charge_id,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    orderId: r.order_id,
    userId: r.user_id,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    status: r.status,
    capturedMinor: Number(r.captured_minor),
    refundedMinor: Number(r.refunded_minor),
    failureCode: r.failure_code,
    metadata: JSON.parse(r.metadata_json) as Record<string, string>,
    createdAt: r.created_at,
    capturedAt: r.captured_at,
  };
}

function toRefund(r: RowDataPacket): RefundRow {
  return {
    refundId: r.refund_id,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    chargeId: r.charge_id,
    orderId: r.order_id,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    reason: r.reason,
    createdAt: r.created_at,
  };
}
