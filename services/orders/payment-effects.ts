import { status as Status } from '@grpc/grpc-js';
import { PaymentStatus, type Payment } from '../../proto/gen/ecom/payments/v1/payments.js';
import { classify, codeOf, describeError } from './call-errors.js';
import type { Downstream } from './downstream.js';
import { keys, retry, settle, type Effect, type StepResult } from './effects-common.js';

/**
 * The saga's payments calls: Charge (key derived from the order id) and the compensating refund.
 * Ambiguous failures are settled with GetPayment by the charge key; a PENDING payment (outcome
 * unknown at payments) is waited for, never guessed.
 */
export function paymentEffects(d: Downstream): Record<'charge' | 'refund', Effect> {
  const payment = async (orderId: string, deadlineMs: number): Promise<Payment | 'none'> => {
    try {
      const res = await d.ask(
        'payments',
        (c) => d.payments.getPayment({ key: { $case: 'idempotencyKey', value: keys.charge(orderId) } }, c),
        deadlineMs,
      );
      return res.payment ?? 'none';
    } catch (err) {
      if (codeOf(err) === Status.NOT_FOUND) return 'none';
      throw err;
    }
  };

  return {
    async charge(o, ms) {
      try {
        const res = await d.call(
          'payments',
          (c) =>
            d.payments.charge(
              {
                idempotencyKey: keys.charge(o.orderId),
                orderId: o.orderId,
                userId: o.userId,
                amount: { amountMinor: o.totalMinor, currency: o.currency },
                paymentToken: o.paymentToken,
              },
              c,
            ),
          ms,
        );
        return res.payment ? fromPayment(res.payment) : retry('charge answered without a payment');
      } catch (err) {
        const kind = classify(err);
        if (kind === 'not-sent') return retry(describeError(err));
        return settle(
          () => payment(o.orderId, ms),
          (p) => {
            if (p !== 'none') return fromPayment(p);
            // Refused and nothing recorded: nothing was charged.
            if (kind === 'definitive')
              return { kind: 'payment-failed', detail: `charge refused: ${describeError(err)}` };
            return retry(`charge unknown, not found: ${describeError(err)}`);
          },
        );
      }
    },

    async refund(o, ms) {
      let p: Payment | 'none';
      try {
        p = await payment(o.orderId, ms);
      } catch (err) {
        return retry(`payment unknown: ${describeError(err)}`);
      }
      if (p === 'none') return { kind: 'done', detail: 'nothing charged' };
      if (p.status === PaymentStatus.PAYMENT_STATUS_PENDING) return retry('payment still pending');
      if (
        p.status !== PaymentStatus.PAYMENT_STATUS_CAPTURED &&
        p.status !== PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED
      ) {
        return { kind: 'done', detail: `payment ${PaymentStatus[p.status]}` };
      }
      try {
        await d.call(
          'payments',
          (c) =>
            d.payments.refund(
              {
                paymentId: p.paymentId,
                idempotencyKey: keys.refund(o.orderId),
                amount: undefined,
                reason: 'order compensation',
              },
              c,
            ),
          ms,
        );
        return { kind: 'done', detail: `refunded ${p.paymentId}` };
      } catch (err) {
        if (classify(err) !== 'definitive') return retry(`refund unknown: ${describeError(err)}`);
        // Refused: done only if the money is back (e.g. refunded by hand). A refusal while the
        // charge is still kept (a competing refund in flight, a transient refusal) is retried:
        // concluding here would keep the customer's money for a cancelled order.
        let after: Payment | 'none';
        try {
          after = await payment(o.orderId, ms);
        } catch (lookup) {
          return retry(`refund refused (${describeError(err)}), payment unknown: ${describeError(lookup)}`);
        }
        if (after === 'none' || after.status === PaymentStatus.PAYMENT_STATUS_REFUNDED) {
          return { kind: 'done', detail: `refund refused: ${describeError(err)}`, refused: true };
        }
        return retry(
          `refund refused (${describeError(err)}) while payment is ${PaymentStatus[after.status]}`,
        );
      }
    },
  };
}

/** What a payment record says about the charge. */
function fromPayment(p: Payment): StepResult {
  switch (p.status) {
    case PaymentStatus.PAYMENT_STATUS_CAPTURED:
    case PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED:
    case PaymentStatus.PAYMENT_STATUS_REFUNDED:
      return { kind: 'captured', paymentId: p.paymentId };
    case PaymentStatus.PAYMENT_STATUS_DECLINED:
      return { kind: 'declined', detail: p.failureReason || 'declined' };
    case PaymentStatus.PAYMENT_STATUS_FAILED:
      return { kind: 'payment-failed', detail: p.failureReason || 'failed' };
    default:
      return retry(`payment ${PaymentStatus[p.status] ?? p.status}`);
  }
}
