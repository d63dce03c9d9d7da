import { PaymentStatus, type Payment } from '../../proto/gen/ecom/payments/v1/payments.js';
import type { PaymentRow, PaymentState } from './store.js';

const STATUS: Record<PaymentState, PaymentStatus> = {
  PENDING: PaymentStatus.PAYMENT_STATUS_PENDING,
  CAPTURED: PaymentStatus.PAYMENT_STATUS_CAPTURED,
  DECLINED: PaymentStatus.PAYMENT_STATUS_DECLINED,
  FAILED: PaymentStatus.PAYMENT_STATUS_FAILED,
  REFUNDED: PaymentStatus.PAYMENT_STATUS_REFUNDED,
  PARTIALLY_REFUNDED: PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
};

/** A payments row as the API shows it. */
export function toPaymentMessage(r: PaymentRow): Payment {
  return {
    paymentId: r.paymentId,
    orderId: r.orderId,
    userId: r.userId,
    status: STATUS[r.status],
    amount: { amountMinor: r.amountMinor, currency: r.currency },
    refunded: { amountMinor: r.refundedMinor, currency: r.currency },
    gatewayChargeId: r.gatewayChargeId ?? '',
    failureReason: r.failureReason ?? '',
    idempotencyKey: r.idempotencyKey,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
