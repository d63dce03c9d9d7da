import { Unavailable } from '../../platform/errors.js';
import { serviceBinding, type ServiceBinding } from '../../platform/grpc/server.js';
import type { CallContext } from '../../platform/grpc/context.js';
import { OrdersServiceService } from '../../proto/gen/ecom/orders/v1/orders.js';
import type { OrdersApp, WithGtid } from './app.js';
import { cancelOrder } from './cancel-order.js';
import { GTID_KEY } from './gtid.js';
import { placeOrder } from './place-order.js';
import { getOrder, listOrders } from './queries.js';

/** The .proto files orders serves (reflection). */
export const ORDERS_PROTO_FILES = ['ecom/orders/v1/orders.proto'];

/** mysql2 errors that mean "the database is unreachable", not "this request is wrong". */
const DB_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
]);

/** Runs a handler, turning a lost database into UNAVAILABLE (retryable) instead of INTERNAL. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && DB_DOWN.has(code))
      throw new Unavailable(`orders database unavailable (${code})`);
    throw err;
  }
}

/** Hands the client the GTID of its write in the `x-ecom-gtid` trailer (read-your-writes). */
function answer<T>(ctx: CallContext, result: WithGtid<T>): T {
  if (result.gtid) ctx.trailer?.set(GTID_KEY, result.gtid);
  return result.response;
}

/** The gRPC binding of OrdersService. */
export function ordersBinding(app: OrdersApp): ServiceBinding {
  return serviceBinding(OrdersServiceService, {
    placeOrder: async (req, ctx) => answer(ctx, await guarded(() => placeOrder(app, req, ctx))),
    cancelOrder: async (req, ctx) => answer(ctx, await guarded(() => cancelOrder(app, req, ctx))),
    getOrder: (req, ctx) => guarded(() => getOrder(app, req, ctx)),
    listOrders: (req, ctx) => guarded(() => listOrders(app, req, ctx)),
  });
}
