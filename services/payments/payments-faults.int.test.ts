import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type PromiseClient } from '../../platform/grpc/client.js';
import {
  PaymentStatus,
  PaymentsServiceService,
  type ChargeRequest,
} from '../../proto/gen/ecom/payments/v1/payments.js';
import { startTestStack } from '../../test/harness.js';
import { databases, eventually, FAST_PAYMENTS, gatewayAdmin, outcome } from './test-support.js';

// Crashes and a failing gateway: kill -9 of a payments instance mid-charge, and the
// payments→gateway circuit breaker.
describe('payments under faults', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const clients: PromiseClient<typeof PaymentsServiceService>[] = [];
  let gateway: ReturnType<typeof gatewayAdmin>;
  let db: Awaited<ReturnType<typeof databases>>;
  let n = 0;
  const key = () => `pay-fault-${process.pid}-${Date.now()}-${n++}`;
  const chargeReq = (k: string, over: Partial<ChargeRequest> = {}): ChargeRequest => ({
    idempotencyKey: k,
    orderId: `order-${k}`,
    userId: 'user-2',
    amount: { amountMinor: 4200, currency: 'EUR' },
    paymentToken: 'tok_ok',
    ...over,
  });
  const client = (i: 1 | 2) => clients[i - 1]!;
  /** A client of one instance only (a fresh channel: the old one backs off after a kill). */
  const connect = (i: 1 | 2) => {
    clients[i - 1]?.close();
    const name = `payments-${i}`;
    const endpoint = stack.state.components.find((c) => c.name === name)!.endpoint;
    clients[i - 1] = createClient(PaymentsServiceService, {
      name,
      addresses: [endpoint],
      defaultDeadlineMs: 5_000,
    });
  };
  const restart = async (i: 1 | 2) => {
    await stack.control.start(`payments-${i}`);
    connect(i);
  };

  beforeAll(async () => {
    stack = await startTestStack({
      replicas: { users: 0, inventory: 0, orders: 0, analytics: 0, payments: 2, gateway: 1 },
      serviceOverrides: { payments: FAST_PAYMENTS },
    });
    connect(1);
    connect(2);
    gateway = gatewayAdmin(stack.state);
    db = await databases(stack.state);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await db?.end();
    await stack?.stop();
  });
  afterEach(async () => {
    await gateway.reset();
  });

  it('kill -9 after the gateway recorded the charge: the settler of the other instance settles it, one charge', async () => {
    const k = key();
    const call = outcome(
      client(1).charge(chargeReq(k, { paymentToken: 'tok_timeout' }), { deadlineMs: 3_000 }),
    );
    expect(await eventually(async () => (await db.payment(k))?.status === 'PENDING', 3_000, 20)).toBe(true);
    expect(await eventually(async () => (await db.charges(k)).length === 1, 3_000, 20)).toBe(true);
    await stack.control.signal('payments-1', 'SIGKILL');
    expect((await call).code).toBe('UNAVAILABLE');
    expect((await db.payment(k))!.status).toBe('PENDING');

    // The lease (deadline + margin) expires, then payments-2's settler asks the gateway.
    expect(await eventually(async () => (await db.payment(k))!.status !== 'PENDING', 10_000)).toBe(true);
    const ledger = await db.charges(k);
    expect(ledger).toHaveLength(1);
    expect(await db.payment(k)).toMatchObject({
      status: 'CAPTURED',
      gateway_charge_id: ledger[0]!.charge_id,
    });

    await restart(1);
    const retry = await client(1).charge(chargeReq(k, { paymentToken: 'tok_timeout' }));
    expect(retry).toMatchObject({
      replayed: true,
      payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED },
    });
    expect(await db.charges(k)).toHaveLength(1);
  });

  it('kill -9 before the gateway recorded anything: a retry takes over and charges once; an abandoned intent ends FAILED', async () => {
    await gateway.set({ latencyMs: { p50: 1_500, p99: 1_500 } });
    const retried = key();
    const late = key();
    const abandoned = key();
    const calls = [retried, late, abandoned].map((k) =>
      outcome(client(1).charge(chargeReq(k), { deadlineMs: 3_000 })),
    );
    expect(
      await eventually(
        async () =>
          (await db.payment(retried)) !== undefined &&
          (await db.payment(late)) !== undefined &&
          (await db.payment(abandoned)) !== undefined,
        3_000,
        20,
      ),
    ).toBe(true);
    await stack.control.signal('payments-1', 'SIGKILL');
    expect((await Promise.all(calls)).map((c) => c.code)).toEqual([
      'UNAVAILABLE',
      'UNAVAILABLE',
      'UNAVAILABLE',
    ]);
    await gateway.reset();
    // The gateway drops requests whose caller vanished before it recorded them.
    expect(await db.charges(retried)).toHaveLength(0);

    // The caller retries with the same key on the surviving instance: it waits for the dead
    // instance's lease, takes the row over and re-sends the same idempotent request.
    const retry = await client(2).charge(chargeReq(retried), { deadlineMs: 8_000 });
    expect(retry).toMatchObject({
      replayed: true,
      payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED },
    });
    expect(await db.charges(retried)).toHaveLength(1);

    // A retry that comes after the lease expired and the settler looked (it took the row, found no
    // record at the gateway, and left the young row for a retry: attempts 1 → 2) takes it over too.
    expect(await eventually(async () => Number((await db.payment(late))!.attempts) >= 2, 8_000, 20)).toBe(
      true,
    );
    expect(await client(2).charge(chargeReq(late), { deadlineMs: 8_000 })).toMatchObject({
      replayed: true,
      payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED },
    });
    expect(await db.charges(late)).toHaveLength(1);

    // Nobody retries the other one: the settler finds no record at the gateway and gives up on it.
    expect(await eventually(async () => (await db.payment(abandoned))!.status !== 'PENDING', 15_000)).toBe(
      true,
    );
    expect(await db.payment(abandoned)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'gateway_no_record',
    });
    expect(await db.charges(abandoned)).toHaveLength(0);
    await restart(1);
  });

  it('opens the breaker under a failing gateway, fails fast without side effects, and closes after a half-open probe', async () => {
    const metrics = stack.state.components.find((c) => c.name === 'payments-2')!.metrics!;
    const breakerState = async () => {
      const text = await (await fetch(metrics)).text();
      return Number(/^ecom_breaker_state\{[^}]*target="gateway"[^}]*\} (\d)/m.exec(text)?.[1]);
    };
    const transitions = async (to: string) => {
      const text = await (await fetch(metrics)).text();
      const line = new RegExp(`^ecom_breaker_transitions_total\\{[^}]*to="${to}"[^}]*\\} (\\d+)`, 'm');
      return Number(line.exec(text)?.[1] ?? 0);
    };
    expect(await breakerState()).toBe(0);
    await gateway.set({ errorRate: 1 });
    const failedKeys: string[] = [];
    let fastFail: Awaited<ReturnType<typeof outcome>> | undefined;
    let fastFailKey = '';
    for (let i = 0; i < 10 && !fastFail; i++) {
      const k = key();
      const res = await outcome(client(2).charge(chargeReq(k)));
      expect(res.code).toBe('UNAVAILABLE');
      if (res.details.includes('circuit breaker open')) {
        fastFail = res;
        fastFailKey = k;
      } else {
        expect(res.paymentOutcome).toBe('unknown');
        failedKeys.push(k);
      }
    }
    expect(fastFail).toBeDefined();
    // Open, or already half-open: the breaker half-opens 2 s after it opened, and on a saturated
    // machine the scrape can come later than that. Closed (0) is what this guards against.
    expect([1, 2]).toContain(await breakerState());

    // The call the open breaker refused: UNAVAILABLE at once, and no intent row at all. (Judged on
    // that call itself: a further call could come after the reset timeout and be the probe.)
    expect(fastFail!.paymentOutcome).toBe('none');
    expect(await db.payment(fastFailKey)).toBeUndefined();

    // The gateway recovers; after resetTimeoutMs the breaker lets one probe through.
    await gateway.reset();
    // Half-open may last only until the settler's first lookup succeeds: count the transition.
    expect(await eventually(async () => (await transitions('half_open')) >= 1, 5_000)).toBe(true);
    // The probe may be ours or a settler lookup; calls racing a probe in flight are refused.
    const probed = await eventually(async () => {
      const res = await outcome(client(2).charge(chargeReq(key())));
      return res.code === 'OK';
    }, 15_000);
    expect(probed).toBe(true);
    expect(await breakerState()).toBe(0);
    expect(await transitions('closed')).toBeGreaterThanOrEqual(1);

    // Intents whose outcome was unknown (5xx) do not stay PENDING: the gateway has no record of
    // them, so the settler fails them.
    expect(failedKeys.length).toBeGreaterThan(0);
    for (const fk of failedKeys) {
      expect(await eventually(async () => (await db.payment(fk))?.status !== 'PENDING', 15_000)).toBe(true);
      expect(await db.payment(fk)).toMatchObject({ status: 'FAILED', failure_reason: 'gateway_no_record' });
      expect(await db.charges(fk)).toHaveLength(0);
    }
  });
});
