import { Metadata, status as Status } from '@grpc/grpc-js';
import { describe, expect, it, vi } from 'vitest';
import { ReservationState, ReserveOutcome } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { PaymentStatus, type Payment } from '../../proto/gen/ecom/payments/v1/payments.js';
import { BreakerOpenError } from './breakers.js';
import type { Downstream } from './downstream.js';
import { keys, sagaEffects, type SagaOrder } from './saga-effects.js';

const order: SagaOrder = {
  orderId: '0b7c2a1e-8f3d-4c55-9a0e-2f1d3c4b5a69',
  userId: 'u1',
  lines: [{ sku: 'sku-1', quantity: 2 }],
  totalMinor: 500,
  currency: 'EUR',
  paymentToken: 'tok_ok',
};

const grpcError = (code: Status) =>
  Object.assign(new Error(Status[code]), { code, details: Status[code], metadata: new Metadata() });
const payment = (status: PaymentStatus): Payment =>
  ({
    paymentId: 'pay-1',
    status,
    failureReason: status === PaymentStatus.PAYMENT_STATUS_DECLINED ? 'card_declined' : '',
  }) as Payment;
const reservation = (state: ReservationState) => ({
  reservation: { orderId: order.orderId, state, allocations: [] },
});

/** Dependencies answering with the given functions (the breaker is tested on its own). */
function deps(fns: { inventory?: Record<string, unknown>; payments?: Record<string, unknown> }): Downstream {
  return {
    inventory: fns.inventory ?? {},
    payments: fns.payments ?? {},
    breakers: {},
    call: (_t: string, fn: (o: { deadlineMs: number }) => Promise<unknown>, ms: number) =>
      fn({ deadlineMs: ms }),
    ask: (_t: string, fn: (o: { deadlineMs: number }) => Promise<unknown>, ms: number) =>
      fn({ deadlineMs: ms }),
    stop: async () => undefined,
  } as unknown as Downstream;
}
const effects = (d: Downstream) => sagaEffects(d, { reservationTtlSeconds: 0, restockOnCancel: true });

describe('saga effects settle ambiguous outcomes by re-asking', () => {
  it('reserve: a deadline after the reservation was made counts as reserved', async () => {
    const e = effects(
      deps({
        inventory: {
          reserve: vi.fn().mockRejectedValue(grpcError(Status.DEADLINE_EXCEEDED)),
          getReservation: vi.fn().mockResolvedValue(reservation(ReservationState.RESERVATION_STATE_HELD)),
        },
      }),
    );
    expect(await e.reserve(order, 100)).toEqual({ kind: 'reserved' });
  });

  it('reserve: unknown and not found is retried; out of stock is an outcome; breaker open is a retry', async () => {
    const notFound = vi.fn().mockRejectedValue(grpcError(Status.NOT_FOUND));
    const e1 = effects(
      deps({
        inventory: {
          reserve: vi.fn().mockRejectedValue(grpcError(Status.UNAVAILABLE)),
          getReservation: notFound,
        },
      }),
    );
    expect((await e1.reserve(order, 100)).kind).toBe('retry');
    const e2 = effects(
      deps({
        inventory: {
          reserve: vi.fn().mockResolvedValue({
            outcome: ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK,
            shortages: [{ sku: 'sku-1', requested: 2, available: 1 }],
          }),
        },
      }),
    );
    expect(await e2.reserve(order, 100)).toEqual({ kind: 'out-of-stock', detail: 'sku-1: 1 of 2' });
    const e3 = effects(
      deps({ inventory: { reserve: vi.fn().mockRejectedValue(new BreakerOpenError('inventory')) } }),
    );
    expect((await e3.reserve(order, 100)).kind).toBe('retry');
  });

  it('charge: sends the derived key; a lost answer is settled by GetPayment on that key', async () => {
    const charge = vi.fn().mockRejectedValue(grpcError(Status.DEADLINE_EXCEEDED));
    const getPayment = vi.fn().mockResolvedValue({ payment: payment(PaymentStatus.PAYMENT_STATUS_CAPTURED) });
    const e = effects(deps({ payments: { charge, getPayment } }));
    expect(await e.charge(order, 100)).toEqual({ kind: 'captured', paymentId: 'pay-1' });
    expect(charge.mock.calls[0]![0]).toMatchObject({
      idempotencyKey: keys.charge(order.orderId),
      amount: { amountMinor: 500 },
    });
    expect(getPayment.mock.calls[0]![0]).toEqual({
      key: { $case: 'idempotencyKey', value: keys.charge(order.orderId) },
    });
  });

  it('charge: pending stays unknown; declined and refused-with-no-record are definite', async () => {
    const pending = effects(
      deps({
        payments: {
          charge: vi.fn().mockResolvedValue({ payment: payment(PaymentStatus.PAYMENT_STATUS_PENDING) }),
        },
      }),
    );
    expect((await pending.charge(order, 100)).kind).toBe('retry');
    const declined = effects(
      deps({
        payments: {
          charge: vi.fn().mockResolvedValue({ payment: payment(PaymentStatus.PAYMENT_STATUS_DECLINED) }),
        },
      }),
    );
    expect(await declined.charge(order, 100)).toEqual({ kind: 'declined', detail: 'card_declined' });
    const refused = effects(
      deps({
        payments: {
          charge: vi.fn().mockRejectedValue(grpcError(Status.INVALID_ARGUMENT)),
          getPayment: vi.fn().mockRejectedValue(grpcError(Status.NOT_FOUND)),
        },
      }),
    );
    expect((await refused.charge(order, 100)).kind).toBe('payment-failed');
  });

  it('commit: committed on re-ask is success, released is not-held, still held after a timeout is retried', async () => {
    const base = { commit: vi.fn().mockRejectedValue(grpcError(Status.UNAVAILABLE)) };
    const at = (s: ReservationState) =>
      effects(
        deps({ inventory: { ...base, getReservation: vi.fn().mockResolvedValue(reservation(s)) } }),
      ).commit(order, 100);
    expect(await at(ReservationState.RESERVATION_STATE_COMMITTED)).toEqual({ kind: 'committed' });
    expect((await at(ReservationState.RESERVATION_STATE_EXPIRED)).kind).toBe('not-held');
    expect((await at(ReservationState.RESERVATION_STATE_HELD)).kind).toBe('retry');
  });

  it('release: nothing reserved is done', async () => {
    const e = effects(
      deps({ inventory: { release: vi.fn().mockRejectedValue(grpcError(Status.NOT_FOUND)) } }),
    );
    expect(await e.release(order, 100)).toEqual({ kind: 'done', detail: 'nothing reserved' });
  });

  it('refund: refunds a captured charge with the derived key; nothing charged is done; pending waits', async () => {
    const refund = vi.fn().mockResolvedValue({ payment: payment(PaymentStatus.PAYMENT_STATUS_REFUNDED) });
    const captured = effects(
      deps({
        payments: {
          refund,
          getPayment: vi.fn().mockResolvedValue({ payment: payment(PaymentStatus.PAYMENT_STATUS_CAPTURED) }),
        },
      }),
    );
    expect((await captured.refund(order, 100)).kind).toBe('done');
    expect(refund.mock.calls[0]![0]).toMatchObject({
      paymentId: 'pay-1',
      idempotencyKey: keys.refund(order.orderId),
    });
    const none = effects(
      deps({ payments: { getPayment: vi.fn().mockRejectedValue(grpcError(Status.NOT_FOUND)) } }),
    );
    expect(await none.refund(order, 100)).toEqual({ kind: 'done', detail: 'nothing charged' });
    const pending = effects(
      deps({
        payments: {
          getPayment: vi.fn().mockResolvedValue({ payment: payment(PaymentStatus.PAYMENT_STATUS_PENDING) }),
        },
      }),
    );
    expect((await pending.refund(order, 100)).kind).toBe('retry');
  });

  it('refund: a refusal while the charge is still kept is retried, never taken as done', async () => {
    const refused = vi.fn().mockRejectedValue(grpcError(Status.FAILED_PRECONDITION));
    const stillCaptured = effects(
      deps({
        payments: {
          refund: refused,
          getPayment: vi.fn().mockResolvedValue({ payment: payment(PaymentStatus.PAYMENT_STATUS_CAPTURED) }),
        },
      }),
    );
    expect((await stillCaptured.refund(order, 100)).kind).toBe('retry');
    const refundedMeanwhile = effects(
      deps({
        payments: {
          refund: refused,
          getPayment: vi
            .fn()
            .mockResolvedValueOnce({ payment: payment(PaymentStatus.PAYMENT_STATUS_CAPTURED) })
            .mockResolvedValueOnce({ payment: payment(PaymentStatus.PAYMENT_STATUS_REFUNDED) }),
        },
      }),
    );
    expect(await refundedMeanwhile.refund(order, 100)).toMatchObject({ kind: 'done', refused: true });
  });

  it('restock: adjusts each committed allocation back with a key per allocation (≤ 64 chars)', async () => {
    const adjust = vi.fn().mockResolvedValue({});
    const e = effects(
      deps({
        inventory: {
          adjust,
          getReservation: vi.fn().mockResolvedValue({
            reservation: {
              state: ReservationState.RESERVATION_STATE_COMMITTED,
              allocations: [
                { sku: 'a', warehouseId: 'w1', quantity: 2 },
                { sku: 'a', warehouseId: 'w2', quantity: 1 },
              ],
            },
          }),
        },
      }),
    );
    expect((await e.restock(order, 100)).kind).toBe('done');
    expect(adjust.mock.calls.map((c) => (c[0] as { delta: number }).delta)).toEqual([2, 1]);
    const used = adjust.mock.calls.map((c) => (c[0] as { idempotencyKey: string }).idempotencyKey);
    expect(new Set(used).size).toBe(2);
    for (const k of used) expect(k.length).toBeLessThanOrEqual(64);
  });
});
