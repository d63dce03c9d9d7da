import type { Metadata } from '@grpc/grpc-js';
import type { CallContext } from '../../platform/grpc/context.js';
import { InvalidArgument, NotFound, PermissionDenied } from '../../platform/errors.js';
import {
  OrderStatus,
  type GetOrderRequest,
  type GetOrderResponse,
  type ListOrdersRequest,
  type ListOrdersResponse,
} from '../../proto/gen/ecom/orders/v1/orders.js';
import { callerOf, checkOwner, type OrdersApp } from './app.js';
import { GTID_KEY, parseGtid } from './gtid.js';
import { toOrder } from './mapping.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import type { OrderState } from './saga.js';
import { checkId, checkOrderId } from './validate.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;
const STATUS_FILTER: Partial<Record<OrderStatus, OrderState>> = {
  [OrderStatus.ORDER_STATUS_PENDING]: 'PENDING',
  [OrderStatus.ORDER_STATUS_CONFIRMED]: 'CONFIRMED',
  [OrderStatus.ORDER_STATUS_REJECTED]: 'REJECTED',
  [OrderStatus.ORDER_STATUS_CANCELLED]: 'CANCELLED',
};

/** The GTID a client sent back (`x-ecom-gtid` metadata) to read its own writes. */
export function gtidFrom(metadata: Metadata): string | undefined {
  const values = metadata.get(GTID_KEY);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new InvalidArgument(GTID_KEY, 'send it once');
  return parseGtid(String(values[0]));
}

/** GetOrder: from the replica, after it caught up with the caller's GTID (else the primary). */
export async function getOrder(
  app: OrdersApp,
  req: GetOrderRequest,
  ctx: CallContext,
): Promise<GetOrderResponse> {
  const orderId = checkOrderId('order_id', req.orderId);
  const caller = callerOf(app, ctx);
  const row = await app.reads.read(
    gtidFrom(ctx.metadata),
    (pool) => app.store.get(pool, orderId),
    // Not on the replica may just mean not replicated yet: the primary decides.
    (r) => r === undefined,
  );
  if (!row) throw new NotFound(`order ${orderId} not found`);
  checkOwner(caller, row);
  return { order: toOrder(row) };
}

/** ListOrders: a user's orders, newest first, keyset-paginated on (created_at, order_id). */
export async function listOrders(
  app: OrdersApp,
  req: ListOrdersRequest,
  ctx: CallContext,
): Promise<ListOrdersResponse> {
  const caller = callerOf(app, ctx);
  const asked = req.userId === '' ? undefined : checkId('user_id', req.userId);
  if (caller !== undefined && asked !== undefined && asked !== caller) {
    throw new PermissionDenied('user_id does not match the access token');
  }
  const userId = caller ?? asked;
  if (userId === undefined) throw new InvalidArgument('user_id', 'must not be empty without an access token');
  const size = req.page?.pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE) {
    throw new InvalidArgument('page.page_size', `must be 0..${MAX_PAGE} (0: ${DEFAULT_PAGE})`);
  }
  const limit = size === 0 ? DEFAULT_PAGE : size;
  let status: OrderState | undefined;
  if (req.status !== OrderStatus.ORDER_STATUS_UNSPECIFIED) {
    status = STATUS_FILTER[req.status];
    if (!status) throw new InvalidArgument('status', 'not an order status');
  }
  const scope = `${userId}|${status ?? ''}`;
  const token = req.page?.pageToken ?? '';
  const after = token === '' ? undefined : decodePageToken(token, scope);
  const rows = await app.reads.read(gtidFrom(ctx.metadata), (pool) =>
    app.store.list(pool, { userId, ...(status ? { status } : {}), ...(after ? { after } : {}), limit }),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    orders: page.map(toOrder),
    nextPageToken:
      rows.length > limit && last
        ? encodePageToken({ createdKey: last.createdKey, orderId: last.orderId }, scope)
        : '',
  };
}
