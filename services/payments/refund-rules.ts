import { FailedPrecondition, InvalidArgument, NotFound } from '../../platform/errors.js';
import type { PaymentRow } from './store.js';
import type { ValidRefund } from './validate.js';

/**
 * How much a refund may take from a payment: the requested amount (0 = the whole remainder),
 * never more than captured minus refunded minus what PENDING refunds have reserved.
 * Throws the domain error that refuses it.
 */
export function refundAmount(
  payment: PaymentRow | undefined,
  pendingMinor: number,
  req: ValidRefund,
): number {
  if (!payment) throw new NotFound(`payment ${req.paymentId} not found`);
  if (req.currency !== undefined && req.currency !== payment.currency) {
    throw new InvalidArgument('amount.currency', `the payment is in ${payment.currency}`);
  }
  if (payment.status === 'REFUNDED') {
    throw new FailedPrecondition(`payment ${payment.paymentId} is already fully refunded`);
  }
  if (payment.status !== 'CAPTURED' && payment.status !== 'PARTIALLY_REFUNDED') {
    throw new FailedPrecondition(
      `payment ${payment.paymentId} is ${payment.status}: only a captured payment can be refunded`,
    );
  }
  const left = payment.amountMinor - payment.refundedMinor - pendingMinor;
  if (left <= 0) {
    throw new FailedPrecondition(
      `payment ${payment.paymentId}: nothing left to refund (${pendingMinor} reserved by refunds still PENDING)`,
    );
  }
  const amount = req.amountMinor === 0 ? left : req.amountMinor;
  if (amount > left) {
    throw new FailedPrecondition(`amount: ${amount} exceeds what is left to refund (${left})`, {
      field: 'amount.amount_minor',
    });
  }
  return amount;
}
