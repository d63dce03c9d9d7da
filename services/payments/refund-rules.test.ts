import { describe, expect, it } from 'vitest';
import { FailedPrecondition, InvalidArgument, NotFound } from '../../platform/errors.js';
import { refundAmount } from './refund-rules.js';
import type { PaymentRow } from './store.js';

const payment = (over: Partial<PaymentRow> = {}): PaymentRow => ({
  paymentId: 'pay_1',
  idempotencyKey: 'k',
  requestHash: 'h',
  orderId: 'o',
  userId: 'u',
  amountMinor: 1000,
  currency: 'EUR',
  status: 'CAPTURED',
  refundedMinor: 0,
  gatewayChargeId: 'ch_1',
  failureReason: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...over,
});
const req = (amountMinor: number, currency?: string) => ({
  paymentId: 'pay_1',
  idempotencyKey: 'r',
  amountMinor,
  currency: currency ?? (amountMinor > 0 ? 'EUR' : undefined),
  reason: undefined,
});

describe('refundAmount', () => {
  it('refunds the requested amount, or the whole remainder for 0', () => {
    expect(refundAmount(payment(), 0, req(300))).toBe(300);
    expect(refundAmount(payment({ status: 'PARTIALLY_REFUNDED', refundedMinor: 300 }), 0, req(0))).toBe(700);
    expect(refundAmount(payment({ status: 'PARTIALLY_REFUNDED', refundedMinor: 300 }), 200, req(0))).toBe(
      500,
    );
  });

  it('never refunds more than captured minus refunded minus pending', () => {
    expect(() =>
      refundAmount(payment({ refundedMinor: 300, status: 'PARTIALLY_REFUNDED' }), 200, req(501)),
    ).toThrow(FailedPrecondition);
    expect(() => refundAmount(payment(), 1000, req(0))).toThrow(/nothing left/);
    expect(() => refundAmount(payment({ status: 'REFUNDED', refundedMinor: 1000 }), 0, req(0))).toThrow(
      /fully refunded/,
    );
  });

  it('refuses payments that moved no money, unknown payments and another currency', () => {
    for (const status of ['PENDING', 'DECLINED', 'FAILED'] as const) {
      expect(() => refundAmount(payment({ status }), 0, req(0))).toThrow(FailedPrecondition);
    }
    expect(() => refundAmount(undefined, 0, req(0))).toThrow(NotFound);
    expect(() => refundAmount(payment(), 0, req(5, 'USD'))).toThrow(InvalidArgument);
  });
});
