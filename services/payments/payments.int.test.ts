import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type PromiseClient } from '../../platform/grpc/client.js';
import {
  PaymentStatus,
  PaymentsServiceService,
  type ChargeRequest,
} from '../../proto/gen/ecom/payments/v1/payments.js';
import { startTestStack } from '../../test/harness.js';
import { databases, eventually, FAST_PAYMENTS, gatewayAdmin, outcome } from './test-support.js';

// Payments (two instances) and the gateway simulator as separate processes over real MariaDB.
describe('payments service', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let client: PromiseClient<typeof PaymentsServiceService>;
  let gateway: ReturnType<typeof gatewayAdmin>;
  let db: Awaited<ReturnType<typeof databases>>;
  let n = 0;
  const key = () => `pay-it-${process.pid}-${Date.now()}-${n++}`;
  const chargeReq = (k: string, over: Partial<ChargeRequest> = {}): ChargeRequest => ({
    idempotencyKey: k,
    orderId: `order-${k}`,
    userId: 'user-1',
    amount: { amountMinor: 1000, currency: 'EUR' },
    paymentToken: 'tok_ok',
    ...over,
  });

  beforeAll(async () => {
    stack = await startTestStack({
      replicas: { users: 0, inventory: 0, orders: 0, analytics: 0, payments: 2, gateway: 1 },
      serviceOverrides: { payments: FAST_PAYMENTS },
    });
    const addresses = stack.state.components.filter((c) => c.service === 'payments').map((c) => c.endpoint);
    client = createClient(PaymentsServiceService, { name: 'payments', addresses, defaultDeadlineMs: 5_000 });
    gateway = gatewayAdmin(stack.state);
    db = await databases(stack.state);
  });
  afterAll(async () => {
    client?.close();
    await db?.end();
    await stack?.stop();
  });
  afterEach(async () => {
    await gateway.reset();
  });

  it('charges once: CAPTURED, one captured charge in the gateway ledger, replayed on retry', async () => {
    const k = key();
    const first = await client.charge(chargeReq(k));
    expect(first.replayed).toBe(false);
    expect(first.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      orderId: `order-${k}`,
      amount: { amountMinor: 1000, currency: 'EUR' },
      idempotencyKey: k,
    });
    const ledger = await db.charges(k);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ status: 'captured', captured_minor: 1000, order_id: `order-${k}` });
    expect(first.payment!.gatewayChargeId).toBe(ledger[0]!.charge_id);

    const again = await client.charge(chargeReq(k));
    expect(again.replayed).toBe(true);
    expect(again.payment!.paymentId).toBe(first.payment!.paymentId);
    expect(await db.charges(k)).toHaveLength(1);

    for (const key of [
      { $case: 'paymentId' as const, value: first.payment!.paymentId },
      { $case: 'orderId' as const, value: `order-${k}` },
      { $case: 'idempotencyKey' as const, value: k },
    ]) {
      expect((await client.getPayment({ key })).payment!.paymentId).toBe(first.payment!.paymentId);
    }
  });

  it('exports the gateway pool, worker pool and breaker metrics', async () => {
    await client.charge(chargeReq(key()));
    const text = await (
      await fetch(stack.state.components.find((c) => c.name === 'payments-1')!.metrics!)
    ).text();
    for (const stat of ['connected', 'free', 'pending', 'running']) {
      expect(text).toMatch(new RegExp(`^ecom_http_pool\\{[^}]*stat="${stat}"[^}]*\\} \\d+`, 'm'));
    }
    expect(text).toMatch(/^ecom_payments_workers\{[^}]*stat="threads"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^ecom_breaker_state\{[^}]*target="gateway"[^}]*\} 0/m);
  });

  it('records a declined card as DECLINED, and a fraudulent token without calling the gateway', async () => {
    const k = key();
    const declined = await client.charge(chargeReq(k, { paymentToken: 'tok_decline' }));
    expect(declined.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_DECLINED,
      failureReason: 'card_declined',
    });
    expect((await db.charges(k))[0]).toMatchObject({ status: 'declined' });

    const f = key();
    const fraud = await client.charge(chargeReq(f, { paymentToken: 'tok_fraud' }));
    expect(fraud.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_DECLINED,
      failureReason: 'fraud_suspected',
    });
    expect(await db.charges(f)).toHaveLength(0);
  });

  it('answers bad input with INVALID_ARGUMENT naming the field, and a reused key with FAILED_PRECONDITION', async () => {
    const cases: [Partial<ChargeRequest>, string][] = [
      [{ idempotencyKey: '' }, 'idempotency_key'],
      [{ orderId: ' ' }, 'order_id'],
      [{ amount: undefined }, 'amount'],
      [{ amount: { amountMinor: 0, currency: 'EUR' } }, 'amount.amount_minor'],
      [{ amount: { amountMinor: -5, currency: 'EUR' } }, 'amount.amount_minor'],
      [{ amount: { amountMinor: 10, currency: 'euro' } }, 'amount.currency'],
      [{ paymentToken: '4111111111111111' }, 'payment_token'],
    ];
    for (const [over, field] of cases) {
      const res = await outcome(client.charge(chargeReq(key(), over)));
      expect(res.code, field).toBe('INVALID_ARGUMENT');
      expect(res.details.startsWith(`${field}:`), res.details).toBe(true);
    }
    expect((await outcome(client.getPayment({ key: undefined }))).code).toBe('INVALID_ARGUMENT');
    expect(
      (await outcome(client.refund({ paymentId: '', idempotencyKey: 'x', amount: undefined, reason: '' })))
        .code,
    ).toBe('INVALID_ARGUMENT');

    const k = key();
    await client.charge(chargeReq(k));
    const reused = await outcome(
      client.charge(chargeReq(k, { amount: { amountMinor: 2000, currency: 'EUR' } })),
    );
    expect(reused.code).toBe('FAILED_PRECONDITION');
    expect(reused.details).toContain('amount.amount_minor differs');
    expect(await db.charges(k)).toHaveLength(1);
  });

  it('makes one gateway charge for concurrent duplicate Charge calls across both instances', async () => {
    await gateway.set({ latencyMs: { p50: 150, p99: 150 } });
    const k = key();
    const results = await Promise.all(Array.from({ length: 10 }, () => client.charge(chargeReq(k))));
    expect(new Set(results.map((r) => r.payment!.paymentId)).size).toBe(1);
    expect(results.every((r) => r.payment!.status === PaymentStatus.PAYMENT_STATUS_CAPTURED)).toBe(true);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await db.charges(k)).toHaveLength(1);
  });

  it('survives gateway timeouts without charging twice (retry replays the recorded charge)', async () => {
    await gateway.set({ timeoutRate: 1 });
    const k = key();
    const res = await client.charge(chargeReq(k), { deadlineMs: 5_000 });
    expect(res.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(await db.charges(k)).toHaveLength(1);
    expect((await db.payment(k))!.attempts).toBe(1);
  });

  it('leaves an unanswered charge PENDING past a short deadline, then settles it by asking the gateway', async () => {
    const k = key();
    const res = await outcome(
      // As long as one gateway attempt (1 s) allows, so no retry replays the charge: the gateway must
      // record it before the caller gives up (a request whose caller is gone is dropped unrecorded).
      client.charge(chargeReq(k, { paymentToken: 'tok_timeout' }), { deadlineMs: 950 }),
    );
    expect(['UNAVAILABLE', 'DEADLINE_EXCEEDED']).toContain(res.code);
    // Still PENDING, unless the settler (every 200 ms here, no grace) has already asked the gateway.
    expect(['PENDING', 'CAPTURED']).toContain((await db.payment(k))!.status);
    const settled = await eventually(async () => (await db.payment(k))!.status !== 'PENDING', 15_000);
    expect(settled).toBe(true);
    const row = (await db.payment(k))!;
    const ledger = await db.charges(k);
    expect(ledger).toHaveLength(1);
    expect(row).toMatchObject({ status: 'CAPTURED', gateway_charge_id: ledger[0]!.charge_id });
  });

  it('finds the committed charge when the gateway fails after committing (errorAfterCommitRate)', async () => {
    await gateway.set({ errorAfterCommitRate: 1 });
    const k = key();
    const res = await client.charge(chargeReq(k));
    expect(res.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const ledger = await db.charges(k);
    expect(ledger).toHaveLength(1);
    expect(res.payment!.gatewayChargeId).toBe(ledger[0]!.charge_id);
  });

  it('refunds partially and fully, idempotently, never more than captured', async () => {
    const k = key();
    const { payment } = await client.charge(chargeReq(k));
    const paymentId = payment!.paymentId;
    const r1 = key();
    const part = await client.refund({
      paymentId,
      idempotencyKey: r1,
      amount: { amountMinor: 300, currency: 'EUR' },
      reason: 'r',
    });
    expect(part.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
      refunded: { amountMinor: 300, currency: 'EUR' },
    });
    const replay = await client.refund({
      paymentId,
      idempotencyKey: r1,
      amount: { amountMinor: 300, currency: 'EUR' },
      reason: 'r',
    });
    expect(replay.payment!.refunded!.amountMinor).toBe(300);

    const over = await outcome(
      client.refund({
        paymentId,
        idempotencyKey: key(),
        amount: { amountMinor: 701, currency: 'EUR' },
        reason: '',
      }),
    );
    expect(over.code).toBe('FAILED_PRECONDITION');
    expect(over.details).toContain('exceeds what is left to refund (700)');

    const rest = await client.refund({ paymentId, idempotencyKey: key(), amount: undefined, reason: '' });
    expect(rest.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_REFUNDED,
      refunded: { amountMinor: 1000, currency: 'EUR' },
    });
    expect(
      (await outcome(client.refund({ paymentId, idempotencyKey: key(), amount: undefined, reason: '' })))
        .code,
    ).toBe('FAILED_PRECONDITION');
    const ledger = (await db.charges(k))[0]!;
    expect(ledger).toMatchObject({ captured_minor: 1000, refunded_minor: 1000 });

    // A refund the gateway commits but answers with a 500: the retry replays it, one refund.
    await gateway.set({ errorAfterCommitRate: 1 });
    const k2 = key();
    const second = await client.charge(chargeReq(k2));
    const faulted = await client.refund({
      paymentId: second.payment!.paymentId,
      idempotencyKey: key(),
      amount: undefined,
      reason: '',
    });
    expect(faulted.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    const [refundRows] = await db.ledger.query<RowDataPacket[]>(
      'SELECT amount_minor FROM refunds WHERE charge_id = ?',
      [second.payment!.gatewayChargeId],
    );
    expect(refundRows.map((r) => Number(r.amount_minor))).toEqual([1000]);
    await gateway.reset();

    expect(
      (
        await outcome(
          client.refund({ paymentId: 'pay_nope', idempotencyKey: key(), amount: undefined, reason: '' }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    const declined = await client.charge(chargeReq(key(), { paymentToken: 'tok_decline' }));
    expect(
      (
        await outcome(
          client.refund({
            paymentId: declined.payment!.paymentId,
            idempotencyKey: key(),
            amount: undefined,
            reason: '',
          }),
        )
      ).code,
    ).toBe('FAILED_PRECONDITION');
  });

  it('never refunds more than captured under concurrent refunds with different keys', async () => {
    const k = key();
    const { payment } = await client.charge(chargeReq(k));
    await gateway.set({ latencyMs: { p50: 50, p99: 100 } });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        outcome(
          client.refund({
            paymentId: payment!.paymentId,
            idempotencyKey: key(),
            amount: { amountMinor: 400, currency: 'EUR' },
            reason: '',
          }),
        ),
      ),
    );
    expect(results.filter((r) => r.code === 'OK')).toHaveLength(2);
    expect(results.filter((r) => r.code === 'FAILED_PRECONDITION')).toHaveLength(4);
    expect((await db.charges(k))[0]).toMatchObject({ refunded_minor: 800 });
    expect((await db.payment(k))!).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded_minor: 800 });
  });
});
