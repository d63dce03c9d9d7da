import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Database } from '../../platform/mysql.js';
import { outbox } from '../../platform/outbox/outbox.js';
import { refundedEvent } from './events.js';
import { Leases } from './leases.js';
import { NO_RECORD, PAYMENT_COLUMNS, toPayment, type PaymentRow } from './store.js';

/** A refunds row (see migrations/001_payments.sql). */
export interface RefundRow {
  refundId: string;
  idempotencyKey: string;
  requestHash: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  reason: string | null;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  gatewayRefundId: string | null;
  failureReason: string | null;
}

const COLUMNS = `refund_id, idempotency_key, request_hash, payment_id, amount_minor, currency, reason, status,
  gateway_refund_id, failure_reason`;

/** The SQL of the refunds table. */
export class RefundStore {
  readonly leases: Leases;

  constructor(
    private readonly db: Database,
    /** The instance recording payment.refunded events, e.g. "payments-1". */
    private readonly source = 'payments',
  ) {
    this.leases = new Leases(db.primary, 'refunds');
  }

  async byKey(idempotencyKey: string): Promise<RefundRow | undefined> {
    return this.one('idempotency_key = ?', idempotencyKey);
  }

  async byId(refundId: string): Promise<RefundRow | undefined> {
    return this.one('refund_id = ?', refundId);
  }

  /**
   * Records a PENDING refund in one transaction with its payment locked: `decide` sees the payment
   * and the amount already reserved by other PENDING refunds, and returns the amount to refund
   * (or throws to refuse). Returns undefined when the idempotency key exists already.
   */
  async reserve(
    r: Pick<RefundRow, 'refundId' | 'idempotencyKey' | 'requestHash' | 'paymentId' | 'reason'> & {
      leaseOwner: string;
      leaseMs: number;
    },
    decide: (payment: PaymentRow | undefined, pendingMinor: number) => number,
  ): Promise<RefundRow | undefined> {
    try {
      return await this.db.transaction(async (conn) => {
        const [payments] = await conn.query<RowDataPacket[]>(
          `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE payment_id = ? FOR UPDATE`,
          [r.paymentId],
        );
        const payment = payments[0] ? toPayment(payments[0]) : undefined;
        // The payment's lock serialises reserves: another call may have recorded this very key
        // while we waited for it. Then it is the same refund, not a competing one: let the caller
        // re-read it (its PENDING amount must not count against itself as "nothing left").
        const [same] = await conn.query<RowDataPacket[]>('SELECT 1 FROM refunds WHERE idempotency_key = ?', [
          r.idempotencyKey,
        ]);
        if (same.length > 0) return undefined;
        const [sums] = await conn.query<RowDataPacket[]>(
          `SELECT COALESCE(SUM(amount_minor), 0) AS pending FROM refunds WHERE payment_id = ? AND status = 'PENDING'`,
          [r.paymentId],
        );
        const amountMinor = decide(payment, Number(sums[0]?.pending ?? 0));
        const row: RefundRow = {
          ...r,
          amountMinor,
          currency: payment!.currency,
          status: 'PENDING',
          gatewayRefundId: null,
          failureReason: null,
        };
        await conn.query(
          `INSERT INTO refunds (refund_id, idempotency_key, request_hash, payment_id, amount_minor, currency, reason,
             status, lease_owner, lease_until, attempts)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, NOW(3) + INTERVAL ? * 1000 MICROSECOND, 1)`,
          [
            row.refundId,
            row.idempotencyKey,
            row.requestHash,
            row.paymentId,
            amountMinor,
            row.currency,
            row.reason,
            r.leaseOwner,
            Math.ceil(r.leaseMs),
          ],
        );
        return row;
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return undefined;
      throw err;
    }
  }

  /**
   * Marks a refund SUCCEEDED (the gateway reported it) and adds it to its payment; false when it was
   * not PENDING. Also overrides an earlier "gateway_no_record" failure: the gateway is the truth.
   */
  async succeed(refundId: string, gatewayRefundId: string): Promise<boolean> {
    return this.db.transaction(async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT payment_id, amount_minor FROM refunds
          WHERE refund_id = ? AND (status = 'PENDING' OR (status = 'FAILED' AND failure_reason = ?)) FOR UPDATE`,
        [refundId, NO_RECORD],
      );
      const refund = rows[0];
      if (!refund) return false;
      await conn.query(
        `UPDATE refunds SET status = 'SUCCEEDED', gateway_refund_id = ?, failure_reason = NULL, lease_until = NULL
          WHERE refund_id = ?`,
        [gatewayRefundId, refundId],
      );
      // status is assigned first, so it sees refunded_minor before this refund is added.
      await conn.query(
        `UPDATE payments
            SET status = IF(refunded_minor + ? >= amount_minor, 'REFUNDED', 'PARTIALLY_REFUNDED'),
                refunded_minor = refunded_minor + ?
          WHERE payment_id = ?`,
        [refund.amount_minor, refund.amount_minor, refund.payment_id],
      );
      await outbox.add(
        conn,
        await refundedEvent(
          conn,
          String(refund.payment_id),
          refundId,
          Number(refund.amount_minor),
          this.source,
        ),
      );
      return true;
    });
  }

  /** Marks a PENDING refund FAILED (releasing its reserved amount); with `owner`, only under that lease. */
  async fail(refundId: string, reason: string, owner?: string): Promise<boolean> {
    const [res] = await this.db.primary.query<ResultSetHeader>(
      `UPDATE refunds SET status = 'FAILED', failure_reason = ?, lease_until = NULL
        WHERE refund_id = ? AND status = 'PENDING'${owner === undefined ? '' : ' AND lease_owner = ?'}`,
      [reason, refundId, ...(owner === undefined ? [] : [owner])],
    );
    return res.affectedRows === 1;
  }

  private async one(where: string, value: string): Promise<RefundRow | undefined> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM refunds WHERE ${where}`,
      [value],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      refundId: r.refund_id,
      idempotencyKey: r.idempotency_key,
      requestHash: r.request_hash,
      paymentId: r.payment_id,
      amountMinor: Number(r.amount_minor),
      currency: r.currency,
      reason: r.reason,
      status: r.status,
      gatewayRefundId: r.gateway_refund_id,
      failureReason: r.failure_reason,
    };
  }
}
