import { InventoryServiceService } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { OrdersServiceService, OrderStatus } from '../../proto/gen/ecom/orders/v1/orders.js';
import { UsersServiceService } from '../../proto/gen/ecom/users/v1/users.js';
import { createLogger } from '../../platform/logger.js';
import { createMetrics } from '../../platform/metrics.js';
import { serviceBinding, startGrpcServer } from '../../platform/grpc/server.js';
import { UnimplementedError } from './unimplemented.js';

/**
 * A trivial gRPC server answering the load runner's calls at once (every order CONFIRMED): the
 * yardstick for the load generator itself — how fast can it go when the system costs nothing.
 * Run as its own process so it does not share the generator's core.
 */
const logger = createLogger({ component: 'echo', level: 'warn' });
const metrics = createMetrics({ service: 'echo', instance: 'echo-1' });
const no = () => Promise.reject(new UnimplementedError());
const order = (orderId: string) => ({
  orderId,
  userId: '',
  status: OrderStatus.ORDER_STATUS_CONFIRMED,
  rejectReason: 0,
  rejectDetail: '',
  lines: [],
  total: { amountMinor: 100, currency: 'EUR' },
  paymentId: '',
  idempotencyKey: '',
  sagaStep: 'confirmed',
  createdAt: undefined,
  updatedAt: undefined,
});
let n = 0;
const server = await startGrpcServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  logger,
  metrics,
  defaultDeadlineMs: 5_000,
  maxDeadlineMs: 30_000,
  protoFiles: [],
  services: [
    serviceBinding(OrdersServiceService, {
      placeOrder: async () => ({ order: order(`echo-${++n}`), replayed: false }),
      getOrder: async (req) => ({ order: order(req.orderId) }),
      listOrders: no,
      cancelOrder: async (req) => ({
        order: { ...order(req.orderId), status: OrderStatus.ORDER_STATUS_CANCELLED },
      }),
    }),
    serviceBinding(InventoryServiceService, {
      getStock: async (req) => ({ sku: req.sku, levels: [], totalAvailable: 1 }),
      reserve: no,
      reserveMany: no,
      commit: no,
      release: no,
      getReservation: no,
      listStock: no,
      restock: no,
      adjust: no,
      transfer: no,
      upsertSkus: no,
      getSkus: no,
      upsertWarehouses: no,
    }),
    serviceBinding(UsersServiceService, {
      login: async () => ({
        tokens: {
          userId: 'u',
          accessToken: '',
          refreshToken: '',
          accessExpiresAt: undefined,
          refreshExpiresAt: undefined,
        },
      }),
      register: no,
      refreshToken: no,
      getProfile: no,
      updateProfile: no,
    }),
  ],
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.stdin.on('end', () => void server.stop(1_000).then(() => process.exit(0)));
process.stdin.resume();
