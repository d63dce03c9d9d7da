import { status as Status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStatus, type PlaceOrderRequest } from '../../proto/gen/ecom/orders/v1/orders.js';
import { newUser, seedSkus, startOrdersStack, type OrdersStack, type TestUser } from './test-support.js';

let s: OrdersStack;
let users: TestUser[];
const RATE = 40;

const countOrders = async () => {
  const [rows] = await s.db.orders.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM orders');
  return Number(rows[0]!.n);
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: ServiceError) => ({ code: err.code, details: err.details, metadata: err.metadata }),
  );
const base: PlaceOrderRequest = {
  idempotencyKey: 'k',
  userId: '',
  lines: [{ sku: 'apple', quantity: 1 }],
  paymentToken: 'tok_ok',
  currency: '',
};

beforeAll(async () => {
  s = await startOrdersStack({
    orders: { rateLimit: { perUser: { points: RATE, durationSeconds: 120, failMode: 'open' } } },
  });
  await seedSkus(s, ['apple', 'pear'], { stock: 1000, priceMinor: 199 });
  users = await Promise.all(Array.from({ length: 5 }, (_, i) => newUser(s, `input-${i}`)));
});
afterAll(async () => {
  await s?.stop();
});

describe('PlaceOrder input', () => {
  it('answers INVALID_ARGUMENT naming the field, before anything is written', async () => {
    const u = users[0]!;
    const before = await countOrders();
    const cases: [Partial<PlaceOrderRequest>, string][] = [
      [{ idempotencyKey: '' }, 'idempotency_key'],
      [{ lines: [] }, 'lines'],
      [{ lines: [{ sku: 'apple', quantity: 0 }] }, 'lines[0].quantity'],
      [
        {
          lines: [
            { sku: 'apple', quantity: 1 },
            { sku: 'apple', quantity: 2 },
          ],
        },
        'lines[1].sku',
      ],
      [
        {
          lines: [
            { sku: 'apple', quantity: 1 },
            { sku: 'no-such-sku', quantity: 1 },
          ],
        },
        'lines[1].sku',
      ],
      [{ currency: 'USD' }, 'currency'],
      [{ currency: 'euro' }, 'currency'],
      [{ paymentToken: '' }, 'payment_token'],
    ];
    for (const [patch, field] of cases) {
      const err = await failure(
        s.orders.placeOrder({ ...base, idempotencyKey: `bad-${field}`, ...patch }, u.auth()),
      );
      expect(err, field).toMatchObject({ code: Status.INVALID_ARGUMENT });
      expect(err!.metadata.get('field'), field).toEqual([field]);
    }
    expect(await countOrders()).toBe(before);
  });

  it('never answers INTERNAL, whatever the request (fast-check)', async () => {
    const sku = fc.oneof(
      { arbitrary: fc.constantFrom('apple', 'pear'), weight: 3 },
      fc.string({ maxLength: 70 }),
    );
    const request = fc.record({
      idempotencyKey: fc.oneof(fc.uuid(), fc.string({ maxLength: 140 })),
      userId: fc.oneof({ arbitrary: fc.constant(''), weight: 4 }, fc.string({ maxLength: 140 })),
      lines: fc.oneof(
        fc.array(fc.record({ sku, quantity: fc.integer({ min: 1, max: 3 }) }), { maxLength: 3 }),
        fc.array(fc.record({ sku, quantity: fc.integer({ min: -5, max: 12_000 }) }), { maxLength: 55 }),
      ),
      paymentToken: fc.oneof(fc.constantFrom('tok_ok', 'tok_decline'), fc.string({ maxLength: 300 })),
      currency: fc.oneof(fc.constantFrom('', 'EUR'), fc.string({ maxLength: 4 })),
    });
    const allowed = new Set([Status.INVALID_ARGUMENT, Status.PERMISSION_DENIED]);
    await fc.assert(
      fc.asyncProperty(request, fc.nat(users.length - 1), async (req, who) => {
        const u = users[who]!;
        try {
          const res = await s.orders.placeOrder(req, u.auth({ deadlineMs: 10_000 }));
          expect([
            OrderStatus.ORDER_STATUS_PENDING,
            OrderStatus.ORDER_STATUS_CONFIRMED,
            OrderStatus.ORDER_STATUS_REJECTED,
          ]).toContain(res.order!.status);
        } catch (err) {
          const e = err as ServiceError;
          if (!allowed.has(e.code)) throw new Error(`${Status[e.code]}: ${e.details}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('limits PlaceOrder per user: RESOURCE_EXHAUSTED with retry-after-ms once over the limit', async () => {
    const u = await newUser(s, 'limited');
    const codes: Status[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < RATE + 5; i++) {
      // Unknown SKUs are cheap: the limit is taken before pricing.
      const err = await failure(
        s.orders.placeOrder(
          { ...base, idempotencyKey: `rl-${i}`, lines: [{ sku: 'nope', quantity: 1 }] },
          u.auth(),
        ),
      );
      codes.push(err!.code);
      if (err!.code === Status.RESOURCE_EXHAUSTED) retryAfter = err!.metadata.get('retry-after-ms')[0];
    }
    expect(codes.filter((c) => c === Status.INVALID_ARGUMENT)).toHaveLength(RATE);
    expect(codes.slice(RATE)).toEqual(Array(5).fill(Status.RESOURCE_EXHAUSTED));
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another user is not affected.
    const other = await s.orders.placeOrder({ ...base, idempotencyKey: 'rl-other' }, users[1]!.auth());
    expect(other.order!.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
  });
});
