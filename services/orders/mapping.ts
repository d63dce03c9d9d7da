import { OrderStatus, RejectReason, type Order } from '../../proto/gen/ecom/orders/v1/orders.js';
import type { OrderRow } from './store.js';

const STATUS: Record<OrderRow['state']['status'], OrderStatus> = {
  PENDING: OrderStatus.ORDER_STATUS_PENDING,
  CONFIRMED: OrderStatus.ORDER_STATUS_CONFIRMED,
  REJECTED: OrderStatus.ORDER_STATUS_REJECTED,
  CANCELLED: OrderStatus.ORDER_STATUS_CANCELLED,
};

/** The wire form of a stored order. */
export function toOrder(row: OrderRow): Order {
  const reason = row.state.reason;
  return {
    orderId: row.orderId,
    userId: row.userId,
    status: STATUS[row.state.status],
    rejectReason: reason ? RejectReason[`REJECT_REASON_${reason}`] : RejectReason.REJECT_REASON_UNSPECIFIED,
    rejectDetail: row.state.detail ?? '',
    lines: row.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: { amountMinor: l.unitPriceMinor, currency: row.currency },
    })),
    total: { amountMinor: row.totalMinor, currency: row.currency },
    paymentId: row.state.paymentId ?? '',
    idempotencyKey: row.idempotencyKey,
    sagaStep: row.state.step,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
