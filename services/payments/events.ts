import type { RowDataPacket } from 'mysql2/promise';
import type { PoolConnection } from '../../platform/mysql.js';
import { newEvent, type DomainEvent } from '../../platform/outbox/events.js';
import type { Settlement } from './store.js';

/** The payment's order, amount and currency, read inside the settling transaction. */
async function facts(conn: PoolConnection, paymentId: string) {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT order_id, amount_minor, currency FROM payments WHERE payment_id = ?',
    [paymentId],
  );
  const r = rows[0];
  if (!r) throw new Error(`payment ${paymentId} vanished inside its own transaction`);
  return {
    paymentId,
    orderId: String(r.order_id),
    amountMinor: Number(r.amount_minor),
    currency: String(r.currency),
  };
}

/** payment.captured or payment.failed for a payment that just settled. */
export async function settledEvent(
  conn: PoolConnection,
  paymentId: string,
  s: Settlement,
  source: string,
): Promise<DomainEvent> {
  const f = await facts(conn, paymentId);
  if (s.status === 'CAPTURED') return newEvent('payment.captured', f, { source });
  return newEvent(
    'payment.failed',
    { ...f, status: s.status, reason: (s.failureReason ?? '').slice(0, 255) },
    { source },
  );
}

/** payment.refunded for a refund that just succeeded (amount: this refund's). */
export async function refundedEvent(
  conn: PoolConnection,
  paymentId: string,
  refundId: string,
  amountMinor: number,
  source: string,
): Promise<DomainEvent> {
  const f = await facts(conn, paymentId);
  return newEvent('payment.refunded', { ...f, amountMinor, refundId }, { source });
}
