import type { ChargeRow, RefundRow } from './ledger.js';

/** A charge as the API shows it (snake_case, Stripe-like). */
export function chargeJson(c: ChargeRow): Record<string, unknown> {
  return {
    id: c.chargeId,
    object: 'charge',
    amount_minor: c.amountMinor,
    currency: c.currency,
    status: c.status,
    captured: c.status === 'captured',
    amount_captured_minor: c.capturedMinor,
    amount_refunded_minor: c.refundedMinor,
    refunded: c.capturedMinor > 0 && c.refundedMinor === c.capturedMinor,
    failure_code: c.failureCode,
    metadata: c.metadata,
    idempotency_key: c.idempotencyKey,
    created: c.createdAt.toISOString(),
    captured_at: c.capturedAt?.toISOString() ?? null,
  };
}

/** A refund as the API shows it. */
export function refundJson(r: RefundRow): Record<string, unknown> {
  return {
    id: r.refundId,
    object: 'refund',
    charge: r.chargeId,
    amount_minor: r.amountMinor,
    currency: r.currency,
    status: 'succeeded',
    reason: r.reason,
    metadata: r.orderId ? { order_id: r.orderId } : {},
    idempotency_key: r.idempotencyKey,
    created: r.createdAt.toISOString(),
  };
}

/** A list response (`GET /v1/charges?…`). */
export function listJson(data: Record<string, unknown>[]): Record<string, unknown> {
  return { object: 'list', data };
}
