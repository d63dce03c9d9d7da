import { Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryServiceService } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { OrdersServiceService, OrderStatus } from '../../proto/gen/ecom/orders/v1/orders.js';
import { UsersServiceService } from '../../proto/gen/ecom/users/v1/users.js';
import { startTestStack } from '../../test/harness.js';
import { createClient } from '../grpc/client.js';
import { startOtlpReceiver, type ReceivedSpan } from './testing/otlp-receiver.js';

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let stack: Awaited<ReturnType<typeof startTestStack>>;
const clients: { close(): void }[] = [];
const client = <D extends Record<string, { path: string; responseStream: boolean }>>(
  def: D,
  service: string,
) => {
  const addresses = stack.state.components.filter((c) => c.service === service).map((c) => c.endpoint);
  const c = createClient(def, { name: service, addresses, defaultDeadlineMs: 20_000 });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startTestStack({
    replicas: { users: 1, inventory: 1, payments: 1, gateway: 1, orders: 1, analytics: 0 },
    otlpEndpoint: receiver.url,
  });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await stack?.stop();
  await receiver?.stop();
});

const SERVER = 2;
const CLIENT = 3;

describe('OpenTelemetry traces across the services (OTLP/HTTP to an in-test receiver)', () => {
  it('one PlaceOrder is one trace with spans from orders, inventory, payments and the gateway', async () => {
    const inventory = client(InventoryServiceService, 'inventory');
    const users = client(UsersServiceService, 'users');
    const orders = client(OrdersServiceService, 'orders');
    await inventory.upsertWarehouses({ warehouses: [{ warehouseId: 'wh-t', name: 'wh-t' }] });
    await inventory.upsertSkus({
      skus: [{ sku: 'traced', name: 'traced', unitPrice: { amountMinor: 500, currency: 'EUR' } }],
    });
    await inventory.restock({
      sku: 'traced',
      warehouseId: 'wh-t',
      quantity: 10,
      idempotencyKey: 'seed-traced',
    });
    const email = `tracer-${Date.now()}@example.com`;
    await users.register({ email, password: 'correct horse battery staple', displayName: 'tracer' });
    const { tokens } = await users.login({ email, password: 'correct horse battery staple' });
    const md = new Metadata();
    md.set('authorization', `Bearer ${tokens!.accessToken}`);

    const { order } = await orders.placeOrder(
      {
        idempotencyKey: 'trace-1',
        userId: '',
        lines: [{ sku: 'traced', quantity: 2 }],
        paymentToken: 'tok_ok',
        currency: '',
      },
      { metadata: md },
    );
    expect(order?.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);

    const isPlaceOrder = (s: ReceivedSpan) =>
      s.service === 'orders' && s.kind === SERVER && s.name.endsWith('/PlaceOrder');
    // Spans are exported in batches (every second), by each process on its own: wait until every
    // service's have arrived (CI saw the gateway's arrive before payments' own).
    const services = ['orders', 'inventory', 'payments', 'gateway'];
    const trace = await new Promise<ReceivedSpan[]>((resolve, reject) => {
      const until = Date.now() + 20_000;
      const poll = () => {
        const root = receiver.spans.find(isPlaceOrder);
        const spans = root ? receiver.spans.filter((s) => s.traceId === root.traceId) : [];
        if (
          services.every((service) => spans.some((s) => s.service === service)) &&
          spans.some((s) => s.name.endsWith('/Commit') && s.kind === SERVER) &&
          // and each span's parent (a span may come a batch later than its child)
          spans.every((s) => s === root || spans.some((p) => p.spanId === s.parentSpanId))
        ) {
          resolve(spans);
        } else if (Date.now() > until) reject(new Error(`incomplete trace: ${JSON.stringify(spans)}`));
        else setTimeout(poll, 200);
      };
      poll();
    });

    expect(receiver.spans.filter(isPlaceOrder)).toHaveLength(1);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(services));
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => !ids.has(s.parentSpanId));
    expect(roots).toHaveLength(1);
    expect(isPlaceOrder(roots[0]!)).toBe(true);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan) => byId.get(s.parentSpanId);
    // Every server span below the root is the child of a client span of another service.
    for (const s of trace.filter((x) => x.kind === SERVER && x !== roots[0])) {
      expect(parentOf(s)?.kind).toBe(CLIENT);
      expect(parentOf(s)?.service).not.toBe(s.service);
    }
    const names = (service: string, kind: number) =>
      trace.filter((s) => s.service === service && s.kind === kind).map((s) => s.name.split('/').pop());
    expect(names('inventory', SERVER)).toEqual(expect.arrayContaining(['Reserve', 'Commit']));
    expect(names('payments', SERVER)).toEqual(['Charge']);
    expect(trace.filter((s) => s.service === 'payments' && s.kind === CLIENT).map((s) => s.name)).toEqual([
      'POST /v1/charges',
    ]);
    const gateway = trace.filter((s) => s.service === 'gateway');
    expect(gateway.map((s) => s.name)).toEqual(['POST /v1/charges']);
    expect(parentOf(gateway[0]!)).toMatchObject({
      service: 'payments',
      kind: CLIENT,
      name: 'POST /v1/charges',
    });
  });
});
