import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Database } from '../../platform/mysql.js';
import { outbox } from '../../platform/outbox/outbox.js';
import { settledEvent } from './events.js';
import { Leases } from './leases.js';

export type PaymentState = 'PENDING' | 'CAPTURED' | 'DECLINED' | 'FAILED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';

/** A payments row (see migrations/001_payments.sql). */
export interface PaymentRow {
  paymentId: string;
  idempotencyKey: string;
  requestHash: string;
  orderId: string;
  userId: string;
  amountMinor: number;
  currency: string;
  status: PaymentState;
  refundedMinor: number;
  gatewayChargeId: string | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The failure reason of a PENDING row the gateway had no record of when the settler gave up. */
export const NO_RECORD = 'gateway_no_record';

/** How a PENDING payment ends. */
export interface Settlement {
  status: 'CAPTURED' | 'DECLINED' | 'FAILED';
  gatewayChargeId: string | null;
  failureReason: string | null;
  /** Recorded with the outcome when this call scored the payment. */
  fraudScore?: number;
}

const COLUMNS = `payment_id, idempotency_key, request_hash, order_id, user_id, amount_minor, currency, status,
  refunded_minor, gateway_charge_id, failure_reason, created_at, updated_at`;

/** The SQL of the payments table; decisions and reads both on the primary. */
export class PaymentStore {
  readonly leases: Leases;

  constructor(
    private readonly db: Database,
    /** The instance recording events (payment.captured / payment.failed), e.g. "payments-1". */
    private readonly source = 'payments',
  ) {
    this.leases = new Leases(db.primary, 'payments');
  }

  /**
   * Records a new payment intent (PENDING, held by `lease.owner` for `lease.ms`); false when its
   * idempotency key exists already. The timestamps are the database's (`p`'s are not written).
   */
  async insert(p: PaymentRow, lease: { owner: string; ms: number }): Promise<boolean> {
    try {
      await this.db.primary.query(
        `INSERT INTO payments (payment_id, idempotency_key, request_hash, order_id, user_id, amount_minor,
           currency, status, lease_owner, lease_until, attempts)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, NOW(3) + INTERVAL ? * 1000 MICROSECOND, 1)`,
        [
          p.paymentId,
          p.idempotencyKey,
          p.requestHash,
          p.orderId,
          p.userId,
          p.amountMinor,
          p.currency,
          lease.owner,
          Math.ceil(lease.ms),
        ],
      );
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
      throw err;
    }
  }

  async byId(paymentId: string): Promise<PaymentRow | undefined> {
    return this.one('payment_id = ?', [paymentId]);
  }

  async byKey(idempotencyKey: string): Promise<PaymentRow | undefined> {
    return this.one('idempotency_key = ?', [idempotencyKey]);
  }

  /**
   * The payment of an order. An order may have several (a declined attempt, then another key):
   * the one that moved money wins, then a PENDING one, then the latest.
   */
  async byOrder(orderId: string): Promise<PaymentRow | undefined> {
    return this.one(
      `order_id = ? ORDER BY FIELD(status, 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'PENDING') = 0,
         FIELD(status, 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'PENDING'), created_at DESC LIMIT 1`,
      [orderId],
    );
  }

  /**
   * Ends a PENDING payment; false when someone settled it first. `owner`: only while that lease is
   * held (outcomes we decided ourselves). `proved`: the gateway reported this outcome, which is
   * the truth and also overrides an earlier "gateway_no_record" failure (a request that landed
   * after the settler gave up on it).
   */
  async settle(paymentId: string, s: Settlement, guard: { owner: string } | 'proved'): Promise<boolean> {
    const [cond, params] =
      guard === 'proved'
        ? [`(status = 'PENDING' OR (status = 'FAILED' AND failure_reason = '${NO_RECORD}'))`, []]
        : [`status = 'PENDING' AND lease_owner = ?`, [guard.owner]];
    // One transaction with its event (outbox), so the event exists exactly when the outcome does.
    return this.db.transaction(async (conn) => {
      const [res] = await conn.query<ResultSetHeader>(
        `UPDATE payments SET status = ?, gateway_charge_id = ?, failure_reason = ?,
                fraud_score = COALESCE(?, fraud_score), lease_until = NULL
          WHERE payment_id = ? AND ${cond}`,
        [s.status, s.gatewayChargeId, s.failureReason, s.fraudScore ?? null, paymentId, ...params],
      );
      if (res.affectedRows !== 1) return false;
      await outbox.add(conn, await settledEvent(conn, paymentId, s, this.source));
      return true;
    });
  }

  private async one(where: string, params: unknown[]): Promise<PaymentRow | undefined> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM payments WHERE ${where}`,
      params,
    );
    return rows[0] ? toPayment(rows[0]) : undefined;
  }
}

/** A payments row from the database. */
export function toPayment(r: RowDataPacket): PaymentRow {
  return {
    paymentId: r.payment_id,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    orderId: r.order_id,
    userId: r.user_id,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    status: r.status,
    refundedMinor: Number(r.refunded_minor),
    gatewayChargeId: r.gateway_charge_id,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export { COLUMNS as PAYMENT_COLUMNS };
