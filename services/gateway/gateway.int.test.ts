import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, startTestStack } from '../../test/harness.js';
import { SIGNATURE_HEADER, signaturePayload } from './signature.js';

/** A JSON answer of the gateway, loosely typed for assertions. */
interface Body {
  id: string;
  amount_minor: number;
  data: Body[];
  burst: unknown;
  error: { type: string; code: string; param?: string };
  [field: string]: unknown;
}

// The gateway simulator as its own process over real MariaDB: the HTTP API, its ledger and every
// behaviour knob.
describe('gateway simulator', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let base: string;
  let secret: string;
  let db: Connection;
  let n = 0;
  const key = () => `it-${process.pid}-${Date.now()}-${n++}`;

  beforeAll(async () => {
    stack = await startTestStack({
      replicas: { users: 0, inventory: 0, payments: 0, orders: 0, analytics: 0, gateway: 1 },
      serviceOverrides: { gateway: { gateway: { maxInFlight: 20 } } },
    });
    const gw = stack.state.components.find((c) => c.name === 'gateway-1')!;
    base = gw.metrics!.replace(/\/metrics$/, '');
    const config = JSON.parse(readFileSync(join(stack.dir, 'config', 'gateway-1.json'), 'utf8'));
    secret = config.gateway.signingSecret;
    db = await createConnection({
      ...stack.state.infra.mysqlPrimary,
      ...stack.state.mysql,
      database: 'gateway',
    });
  });
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });
  afterEach(async () => {
    await fetch(`${base}/admin/behaviour`, { method: 'DELETE' });
  });

  async function api(
    method: string,
    path: string,
    o: { key?: string; body?: unknown; sign?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ status: number; json: Body; replayed: boolean }> {
    const body = o.body === undefined ? '' : JSON.stringify(o.body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.key) headers['idempotency-key'] = o.key;
    if (o.sign !== false) {
      const t = Date.now();
      const payload = signaturePayload({ t, method, path, idempotencyKey: o.key ?? '', body });
      headers[SIGNATURE_HEADER] = `t=${t},v1=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    }
    const res = await fetch(base + path, { method, headers, body: body || undefined, signal: o.signal });
    return {
      status: res.status,
      json: (await res.json()) as Body,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  }
  /**
   * Sends a charge the gateway will record and never answer: waits (polling, at most 10 s) until
   * the ledger holds it, checks the request is still unanswered, then gives up on it as a client
   * would. Polled rather than cut at a fixed time: a caller gone before the charge is recorded gets
   * nothing recorded, and on a saturated machine recording can take a while.
   */
  async function expectRecordedNotAnswered(k: string, body: Record<string, unknown>): Promise<void> {
    const client = new AbortController();
    let answered = false;
    const request = api('POST', '/v1/charges', { key: k, body, signal: client.signal }).then(
      () => (answered = true),
    );
    try {
      await pollUntil(
        () => ledgerRows(k),
        (rows) => rows.length === 1,
        10_000,
      );
      expect(await ledgerRows(k)).toHaveLength(1);
      expect(answered).toBe(false);
    } finally {
      client.abort();
      await expect(request).rejects.toThrow();
    }
  }
  /** The gateway's own count of API requests in flight (from /metrics, which is not counted). */
  const inFlight = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(/^ecom_gateway_in_flight(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1]);
  };
  const behave = (patch: unknown) =>
    fetch(`${base}/admin/behaviour`, { method: 'PUT', body: JSON.stringify(patch) }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as Body,
    }));
  const charge = (k: string, over: Record<string, unknown> = {}) =>
    api('POST', '/v1/charges', {
      key: k,
      body: {
        amount_minor: 1250,
        currency: 'EUR',
        payment_token: 'tok_ok',
        metadata: { order_id: `o-${k}` },
        ...over,
      },
    });
  const ledgerRows = async (k: string) =>
    (await db.query<RowDataPacket[]>('SELECT * FROM charges WHERE idempotency_key = ?', [k]))[0];

  it('creates a captured charge once per key and replays it', async () => {
    const k = key();
    const first = await charge(k);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      object: 'charge',
      status: 'captured',
      amount_minor: 1250,
      captured: true,
    });
    const again = await charge(k);
    expect(again).toMatchObject({ status: 200, replayed: true });
    expect(again.json.id).toBe(first.json.id);
    const rows = await ledgerRows(k);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      order_id: `o-${k}`,
      status: 'captured',
      captured_minor: 1250,
      refunded_minor: 0,
    });
    const byKey = await api('GET', `/v1/charges?idempotency_key=${k}`);
    expect(byKey.json.data.map((c) => c.id)).toEqual([first.json.id]);
    const byOrder = await api('GET', `/v1/charges?order_id=o-${k}`);
    expect(byOrder.json.data.map((c) => c.id)).toEqual([first.json.id]);
    expect((await api('GET', `/v1/charges/${first.json.id}`)).json.id).toBe(first.json.id);
  });

  it('refuses a reused key with other parameters (422) and a missing key (400)', async () => {
    const k = key();
    await charge(k);
    const reused = await charge(k, { amount_minor: 999 });
    expect(reused.status).toBe(422);
    expect(reused.json.error.code).toBe('idempotency_key_reused');
    const noKey = await api('POST', '/v1/charges', {
      body: { amount_minor: 1, currency: 'EUR', payment_token: 'tok_ok' },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.code).toBe('idempotency_key_missing');
  });

  it('names the bad parameter and refuses unsigned or tampered requests', async () => {
    const bad = await charge(key(), { currency: 'eur' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'parameter_invalid', param: 'currency' });
    const unsigned = await api('GET', '/v1/charges?idempotency_key=x', { sign: false });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error.code).toBe('signature_invalid');
    expect((await api('GET', '/v1/charges/ch_nope')).json.error.code).toBe('not_found');
  });

  it('serialises concurrent requests with one key into one charge', async () => {
    const k = key();
    await behave({ latencyMs: { p50: 30, p99: 80 } });
    const results = await Promise.all(Array.from({ length: 12 }, () => charge(k)));
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await ledgerRows(k)).toHaveLength(1);
  });

  it('follows the token hints: tok_decline, tok_error, tok_timeout', async () => {
    const declined = key();
    const d = await charge(declined, { payment_token: 'tok_decline' });
    expect(d.status).toBe(402);
    expect(d.json.error).toMatchObject({ type: 'card_error', code: 'card_declined' });
    expect((await ledgerRows(declined))[0]).toMatchObject({ status: 'declined', captured_minor: 0 });

    const errored = key();
    expect((await charge(errored, { payment_token: 'tok_error' })).status).toBe(500);
    expect(await ledgerRows(errored)).toHaveLength(0);

    const timedOut = key();
    await expectRecordedNotAnswered(timedOut, {
      amount_minor: 500,
      currency: 'EUR',
      payment_token: 'tok_timeout',
    });
    expect((await ledgerRows(timedOut))[0]).toMatchObject({ status: 'captured' });
    const retry = await api('POST', '/v1/charges', {
      key: timedOut,
      body: { amount_minor: 500, currency: 'EUR', payment_token: 'tok_timeout' },
    });
    expect(retry).toMatchObject({ status: 200, replayed: true });
  });

  it('knob latencyMs delays every API request', async () => {
    await behave({ latencyMs: { p50: 300, p99: 300 } });
    const t0 = Date.now();
    await api('GET', '/v1/charges?idempotency_key=none');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it('knob declineRate declines fresh charges', async () => {
    await behave({ declineRate: 1 });
    const k = key();
    expect((await charge(k)).status).toBe(402);
    expect((await ledgerRows(k))[0]).toMatchObject({ status: 'declined', failure_code: 'card_declined' });
  });

  it('knob errorRate answers 500 and records nothing', async () => {
    await behave({ errorRate: 1 });
    const k = key();
    const res = await charge(k);
    expect(res.status).toBe(500);
    expect(res.json.error.type).toBe('api_error');
    expect(await ledgerRows(k)).toHaveLength(0);
  });

  it('knob errorAfterCommitRate records the charge, answers 500, and a retry replays it', async () => {
    await behave({ errorAfterCommitRate: 1 });
    const k = key();
    expect((await charge(k)).status).toBe(500);
    expect(await ledgerRows(k)).toHaveLength(1);
    const retry = await charge(k);
    expect(retry).toMatchObject({ status: 200, replayed: true });
    expect(await ledgerRows(k)).toHaveLength(1);
  });

  it('knob timeoutRate records the charge and never answers', async () => {
    await behave({ timeoutRate: 1 });
    const k = key();
    await expectRecordedNotAnswered(k, { amount_minor: 700, currency: 'EUR', payment_token: 'tok_ok' });
    expect(await ledgerRows(k)).toHaveLength(1);
    const found = await api('GET', `/v1/charges?idempotency_key=${k}`);
    expect(found.json.data[0]).toMatchObject({ status: 'captured', amount_minor: 700 });
  });

  it('answers 429 rate_limited past maxInFlight requests', async () => {
    await behave({ timeoutRate: 1 });
    const hold = new AbortController();
    const held = Array.from({ length: 20 }, () =>
      api('POST', '/v1/charges', {
        key: key(),
        body: { amount_minor: 1, currency: 'EUR', payment_token: 'tok_ok' },
        signal: hold.signal,
      }).catch(() => undefined),
    );
    // Polled, not slept: on a saturated machine the 20 may take a while to all be in flight (watched
    // on the gauge, since a probing request would itself take one of the 20 places), and the aborted
    // ones a while to be noticed by the server.
    try {
      await pollUntil(inFlight, (n) => n === 20, 10_000);
      expect(await inFlight()).toBe(20);
      const limited = await api('GET', '/v1/charges?idempotency_key=x');
      expect(limited.status).toBe(429);
      expect(limited.json.error.code).toBe('rate_limited');
    } finally {
      hold.abort();
      await Promise.all(held);
    }
    const freed = await pollUntil(
      () => api('GET', '/v1/charges?idempotency_key=x'),
      (a) => a.status === 200,
      10_000,
    );
    expect(freed.status).toBe(200);
  });

  it('knob burst raises the error rate for forMs, then ends', async () => {
    // 2 s: long enough that the first request lands inside the burst even on a saturated machine.
    const set = await behave({ burst: { errorRate: 1, forMs: 2_000 } });
    expect(set.json.burst).toMatchObject({ errorRate: 1, forMs: 2_000 });
    expect((await api('GET', '/v1/charges?idempotency_key=b')).status).toBe(500);
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await api('GET', '/v1/charges?idempotency_key=b')).status).toBe(200);
    expect(((await (await fetch(`${base}/admin/behaviour`)).json()) as Body).burst).toBeNull();
  });

  it('validates behaviour changes, naming the field, and keeps the old behaviour', async () => {
    const rate = await behave({ declineRate: 2 });
    expect(rate.status).toBe(400);
    expect(rate.json.error.param).toBe('declineRate');
    const p99 = await behave({ latencyMs: { p50: 50 } });
    expect(p99.status).toBe(400);
    expect(p99.json.error.param).toBe('latencyMs.p99');
    const unknown = await behave({ errorRat: 1 });
    expect(unknown.json.error.param).toBe('errorRat');
    const notJson = await fetch(`${base}/admin/behaviour`, { method: 'PUT', body: '{' });
    expect(notJson.status).toBe(400);
    const now = await (await fetch(`${base}/admin/behaviour`)).json();
    expect(now).toMatchObject({ declineRate: 0, latencyMs: { p50: 0, p99: 0 } });
  });

  it('captures authorized charges and refunds partially, fully, idempotently, never more than captured', async () => {
    const auth = await charge(key(), { capture: false });
    expect(auth.json).toMatchObject({ status: 'authorized', captured: false });
    const captured = await api('POST', `/v1/charges/${auth.json.id}/capture`, { body: {} });
    expect(captured.json).toMatchObject({ status: 'captured', amount_captured_minor: 1250 });

    const r1 = key();
    const part = await api('POST', '/v1/refunds', {
      key: r1,
      body: { charge: auth.json.id, amount_minor: 250 },
    });
    expect(part.json).toMatchObject({ object: 'refund', amount_minor: 250, status: 'succeeded' });
    const replay = await api('POST', '/v1/refunds', {
      key: r1,
      body: { charge: auth.json.id, amount_minor: 250 },
    });
    expect(replay).toMatchObject({ replayed: true, json: { id: part.json.id } });
    const tooMuch = await api('POST', '/v1/refunds', {
      key: key(),
      body: { charge: auth.json.id, amount_minor: 1001 },
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.error.code).toBe('amount_too_large');
    const rest = await api('POST', '/v1/refunds', { key: key(), body: { charge: auth.json.id } });
    expect(rest.json.amount_minor).toBe(1000);
    const after = await api('GET', `/v1/charges/${auth.json.id}`);
    expect(after.json).toMatchObject({ amount_refunded_minor: 1250, refunded: true });
    const [rows] = await db.query<RowDataPacket[]>(
      'SELECT SUM(amount_minor) AS s FROM refunds WHERE charge_id = ?',
      [auth.json.id],
    );
    expect(Number(rows[0]!.s)).toBe(1250);
  });
});
