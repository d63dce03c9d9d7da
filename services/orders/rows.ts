import type { RowDataPacket } from 'mysql2/promise';
import { COMPENSATIONS, type Compensation, type OrderState, type Reason, type SagaState } from './saga.js';

/** An order as stored. */
export interface OrderRow {
  orderId: string;
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  state: SagaState;
  cancelReason: string | null;
  currency: string;
  totalMinor: number;
  paymentToken: string;
  lines: { sku: string; quantity: number; unitPriceMinor: number }[];
  createdAt: Date;
  updatedAt: Date;
  /** created_at with microseconds, as the keyset cursor needs it. */
  createdKey: string;
  claimToken: string | null;
  /** How old the order is by the database's clock. */
  ageMs: number;
}

/** The orders columns every read selects (with the microsecond cursor key and the DB-clock age). */
export const COLUMNS = `order_id, user_id, idempotency_key, request_hash, status, saga_step, reject_reason,
  reject_detail, compensation_todo, cancel_requested, cancel_reason, currency, total_minor, payment_token,
  payment_id, claim_token, created_at, updated_at, CAST(created_at AS CHAR) AS created_key,
  TIMESTAMPDIFF(MICROSECOND, created_at, NOW(6)) DIV 1000 AS age_ms`;

/** Maps a selected orders row (and its lines) to an {@link OrderRow}. */
export function toRow(r: RowDataPacket, lines: OrderRow['lines']): OrderRow {
  const todo =
    r.compensation_todo === null ? null : String(r.compensation_todo).split(',').filter(isCompensation);
  return {
    orderId: String(r.order_id),
    userId: String(r.user_id),
    idempotencyKey: String(r.idempotency_key),
    requestHash: String(r.request_hash),
    state: {
      status: r.status as OrderState,
      step: String(r.saga_step),
      reason: (r.reject_reason as Reason | null) ?? null,
      detail: (r.reject_detail as string | null) ?? null,
      todo,
      cancelRequested: Number(r.cancel_requested) === 1,
      paymentId: (r.payment_id as string | null) ?? null,
    },
    cancelReason: (r.cancel_reason as string | null) ?? null,
    currency: String(r.currency),
    totalMinor: Number(r.total_minor),
    paymentToken: String(r.payment_token),
    lines,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    createdKey: String(r.created_key),
    claimToken: (r.claim_token as string | null) ?? null,
    ageMs: Number(r.age_ms),
  };
}

function isCompensation(s: string): s is Compensation {
  return (COMPENSATIONS as readonly string[]).includes(s);
}

/** Cuts text to a column's length. */
export function clip(s: string | null, max: number): string | null {
  return s === null ? null : s.length > max ? s.slice(0, max) : s;
}
