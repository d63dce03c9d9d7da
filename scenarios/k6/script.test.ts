import { afterAll, describe, expect, it } from 'vitest';
import { builtinScenarios, loadScenario } from '../load.js';
import { exportK6 } from './script.js';
import { runInFakeK6, writeTokensFile, type FakeCall } from './testing/fake-k6.js';

// Runs the exported script's own logic in Node with stand-ins for k6's modules (see
// testing/fake-k6.ts) and checks what it would send: methods, request fields, tags, tokens,
// and that mix, popularity and payment shares follow the scenario.
const tokens = writeTokensFile(50);
afterAll(() => tokens.cleanup());

const ADDRESSES = {
  ECOM_ORDERS: '10.0.0.1:7001',
  ECOM_INVENTORY: '10.0.0.2:7002',
  ECOM_USERS: '10.0.0.3:7003',
};
const env = (extra: Record<string, string> = {}) => ({
  ...ADDRESSES,
  ECOM_TOKENS_FILE: tokens.file,
  ECOM_RUN_ID: 'r1',
  ...extra,
});
// Place-order replies: every third order rejected, the rest confirmed; everything else OK.
const REPLY = `if (call.method.endsWith('/PlaceOrder')) return { status: 0, message: { order: { orderId: 'o-' + n, status: n % 3 === 0 ? 'ORDER_STATUS_REJECTED' : 'ORDER_STATUS_CONFIRMED', rejectReason: 'REJECT_REASON_OUT_OF_STOCK' } } };
return { status: 0, message: {} };`;

const METHOD_OF: Record<string, string> = {
  'place-order': 'ecom.orders.v1.OrdersService/PlaceOrder',
  'get-order': 'ecom.orders.v1.OrdersService/GetOrder',
  'cancel-order': 'ecom.orders.v1.OrdersService/CancelOrder',
  'get-stock': 'ecom.inventory.v1.InventoryService/GetStock',
  login: 'ecom.users.v1.UsersService/Login',
};
const share = (calls: FakeCall[], pred: (c: FakeCall) => boolean) => calls.filter(pred).length / calls.length;
const skusOf = (c: FakeCall) =>
  c.request.sku !== undefined
    ? [c.request.sku as string]
    : ((c.request.lines as { sku: string }[] | undefined) ?? []).map((l) => l.sku);

describe('exported k6 script, run with stand-in k6 modules', () => {
  it('steady-mix: the mix, the calls, their tags, tokens and owners', () => {
    const run = runInFakeK6(exportK6(loadScenario('steady-mix')), {
      env: env(),
      vus: [
        { vu: 1, iterations: 2000 },
        { vu: 2, iterations: 2000 },
      ],
      reply: REPLY,
    });
    expect([...new Set(run.loaded.map((l) => l.file))].sort()).toEqual([
      'ecom/inventory/v1/inventory.proto',
      'ecom/orders/v1/orders.proto',
      'ecom/users/v1/users.proto',
    ]);
    const { calls } = run;
    expect(calls).toHaveLength(4000);
    // steady-mix weights: place-order 5, get-stock 10, get-order 3, cancel-order 1, login 1.
    for (const [op, w] of [
      ['place-order', 5],
      ['get-stock', 10],
      ['get-order', 3],
      ['cancel-order', 1],
      ['login', 1],
    ] as const) {
      expect(share(calls, (c) => c.params.tags?.op === op)).toBeCloseTo(w / 20, 1);
    }
    const address = {
      orders: ADDRESSES.ECOM_ORDERS,
      inventory: ADDRESSES.ECOM_INVENTORY,
      users: ADDRESSES.ECOM_USERS,
    };
    const placedBy = new Map<string, { vu: number; token: string }>();
    const keys = new Set<string>();
    calls.forEach((c, i) => {
      const op = c.params.tags?.op ?? '';
      expect(c.method).toBe(METHOD_OF[op]);
      expect(c.params.timeout).toBe('5000ms');
      expect(c.address).toBe(
        address[
          c.method.includes('Orders') ? 'orders' : c.method.includes('Inventory') ? 'inventory' : 'users'
        ],
      );
      if (op === 'place-order') {
        expect(Object.keys(c.request).sort()).toEqual([
          'currency',
          'idempotency_key',
          'lines',
          'payment_token',
          'user_id',
        ]);
        expect(c.params.metadata?.authorization).toBe(`Bearer token-of-${String(c.request.user_id)}`);
        const lines = c.request.lines as { sku: string; quantity: number }[];
        expect(lines.length).toBeGreaterThanOrEqual(1);
        expect(lines.length).toBeLessThanOrEqual(3);
        expect(new Set(lines.map((l) => l.sku)).size).toBe(lines.length);
        for (const l of lines) expect([1, 2, 3]).toContain(l.quantity);
        keys.add(String(c.request.idempotency_key));
        placedBy.set(`o-${i + 1}`, { vu: c.vu, token: c.params.metadata?.authorization ?? '' });
      } else if (op === 'get-order' || op === 'cancel-order') {
        // Only orders this VU placed, read or cancelled with their buyer's token.
        const owner = placedBy.get(String(c.request.order_id));
        expect(owner).toEqual({ vu: c.vu, token: c.params.metadata?.authorization });
      } else if (op === 'login') {
        expect(c.request.email).toMatch(/^user-0000[0-5]\d@ecom\.test$/);
        expect(c.request.password).toBe('seed-password');
      } else {
        expect(c.request).toEqual({
          sku: expect.stringMatching(/^sku-\d{6}$/),
          warehouse_id: '',
          consistent: false,
        });
        expect(c.params.metadata).toBeUndefined();
      }
    });
    expect(keys.size).toBe(calls.filter((c) => c.params.tags?.op === 'place-order').length);
    // Zipf over 1,000 SKUs: the first is the most popular, far above uniform's 0.1%.
    const skus = calls.flatMap(skusOf);
    expect(skus.filter((s) => s === 'sku-000001').length / skus.length).toBeGreaterThan(0.08);
    // Metrics: one errors sample per call (none failed), one confirmed per confirmed order.
    const errors = run.metrics.filter((m) => m.name === 'errors');
    expect(errors).toHaveLength(4000);
    expect(errors.every((m) => m.value === false)).toBe(true);
    const confirmedReplies = [...placedBy.keys()].filter((id) => Number(id.slice(2)) % 3 !== 0).length;
    expect(run.metrics.filter((m) => m.name === 'confirmed')).toHaveLength(confirmedReplies);
    expect(run.metrics.filter((m) => m.name === 'rejected')).toHaveLength(placedBy.size - confirmedReplies);
  });

  it('flash-sale: one hot SKU, orders only; payment-storm: token shares', () => {
    const flash = runInFakeK6(exportK6(loadScenario('flash-sale')), {
      env: env(),
      vus: [{ vu: 1, iterations: 300 }],
    });
    expect(flash.loaded.map((l) => l.file)).toEqual(['ecom/orders/v1/orders.proto']);
    expect(new Set(flash.calls.flatMap(skusOf))).toEqual(new Set(['sku-000001']));

    const storm = runInFakeK6(exportK6(loadScenario('payment-storm')), {
      env: env(),
      vus: [{ vu: 1, iterations: 4000 }],
    });
    const orders = storm.calls.filter((c) => c.params.tags?.op === 'place-order');
    expect(orders.length).toBeGreaterThan(3000);
    for (const [token, p] of [
      ['tok_decline', 0.3],
      ['tok_timeout', 0.15],
      ['tok_error', 0.1],
      ['tok_ok', 0.45],
    ] as const) {
      expect(share(orders, (c) => c.request.payment_token === token)).toBeCloseTo(p, 1);
    }
  });

  it('counts non-OK calls as errors and only ambiguous codes as ambiguous', () => {
    const run = runInFakeK6(exportK6(loadScenario('flash-sale')), {
      env: env(),
      vus: [{ vu: 1, iterations: 100 }],
      reply: `return { status: n % 4 === 0 ? 4 : n % 4 === 1 ? 3 : 0, message: null };`,
    });
    const errors = run.metrics.filter((m) => m.name === 'errors');
    expect(errors.filter((m) => m.value === true)).toHaveLength(50);
    expect(errors.every((m) => m.tags?.op === 'place-order')).toBe(true);
    expect(run.metrics.filter((m) => m.name === 'ambiguous')).toHaveLength(25);
    expect(run.metrics.filter((m) => m.name === 'confirmed')).toHaveLength(0);
  });

  it('replays the same decisions from the same seed and VU; another VU or ECOM_SEED differs', () => {
    const script = exportK6(loadScenario('steady-mix'), { seed: 7 });
    const requests = (e: Record<string, string>, vu: number) =>
      runInFakeK6(script, { env: env(e), vus: [{ vu, iterations: 200 }], reply: REPLY }).calls.map((c) => [
        c.method,
        c.request,
      ]);
    const a = requests({}, 1);
    expect(requests({}, 1)).toEqual(a);
    expect(requests({}, 2)).not.toEqual(a);
    expect(requests({ ECOM_SEED: '8' }, 1)).not.toEqual(a);
  });

  it('says which variable is missing', () => {
    const script = exportK6(loadScenario('steady-mix'));
    expect(() => runInFakeK6(script, { env: { ...ADDRESSES }, vus: [{ vu: 1, iterations: 1 }] })).toThrow(
      /ECOM_TOKENS_FILE: set it/,
    );
    const noInventory = { ECOM_ORDERS: 'a:1', ECOM_USERS: 'c:3', ECOM_TOKENS_FILE: tokens.file };
    expect(() => runInFakeK6(script, { env: noInventory, vus: [{ vu: 1, iterations: 1 }] })).toThrow(
      /ECOM_INVENTORY: set it to host:port/,
    );
    const withDefault = exportK6(loadScenario('steady-mix'), { inventoryAddress: '127.0.0.1:9' });
    const run = runInFakeK6(withDefault, { env: noInventory, vus: [{ vu: 1, iterations: 50 }] });
    expect(
      run.calls.filter((c) => c.method.endsWith('/GetStock')).every((c) => c.address === '127.0.0.1:9'),
    ).toBe(true);
  });
});

describe('every builtin scenario runs in the stand-in k6', () => {
  it('makes tagged calls without throwing', () => {
    for (const name of builtinScenarios()) {
      const run = runInFakeK6(exportK6(loadScenario(name)), {
        env: env(),
        vus: [{ vu: 1, iterations: 200 }],
        reply: REPLY,
      });
      expect(run.calls, name).toHaveLength(200);
      for (const c of run.calls) expect(c.method, name).toBe(METHOD_OF[c.params.tags?.op ?? '']);
    }
  });
});
