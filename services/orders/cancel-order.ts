import type { CallContext } from '../../platform/grpc/context.js';
import { InvalidArgument, NotFound } from '../../platform/errors.js';
import type { CancelOrderRequest, CancelOrderResponse } from '../../proto/gen/ecom/orders/v1/orders.js';
import {
  awaitTerminal,
  callerOf,
  checkOwner,
  primaryPosition,
  type OrdersApp,
  type WithGtid,
} from './app.js';
import { laterGtid } from './gtid.js';
import { toOrder } from './mapping.js';
import { checkOrderId } from './validate.js';

const MAX_REASON = 256;

/**
 * CancelOrder compensates according to the state. PENDING: the cancel is recorded and the saga
 * compensates at its next step (release; refund if a charge landed) → CANCELLED, unless it was
 * already charged: then it confirms first and cancels like a CONFIRMED order. CONFIRMED: refund in
 * full and, by policy (`restockOnCancel`), return the sold units to available stock through
 * inventory Adjust → CANCELLED. REJECTED/CANCELLED: a no-op returning the order. Answers with the
 * order once the compensation finished, or as it stands at the deadline (it finishes anyway).
 */
export async function cancelOrder(
  app: OrdersApp,
  req: CancelOrderRequest,
  ctx: CallContext,
): Promise<WithGtid<CancelOrderResponse>> {
  const orderId = checkOrderId('order_id', req.orderId);
  if (req.reason.length > MAX_REASON)
    throw new InvalidArgument('reason', `must be at most ${MAX_REASON} characters`);
  const caller = callerOf(app, ctx);
  const row = await app.store.get(app.store.primaryPool, orderId);
  if (!row) throw new NotFound(`order ${orderId} not found`);
  checkOwner(caller, row);
  if (row.state.status === 'REJECTED' || row.state.status === 'CANCELLED') {
    return { response: { order: toOrder(row) }, gtid: await primaryPosition(app) };
  }
  const requested = row.state.cancelRequested
    ? { gtid: undefined }
    : await app.store.requestCancel(orderId, req.reason || 'cancelled by the customer');
  const done = await awaitTerminal(app, orderId, ctx);
  return { response: { order: toOrder(done.row ?? row) }, gtid: laterGtid(requested.gtid, done.gtid) };
}
