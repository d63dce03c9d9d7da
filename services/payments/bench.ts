/**
 * Charges per second end to end (client → two payments instances → gateway simulator → MariaDB),
 * with p50/p99, for several gateway behaviours in one run. The baseline of the same run is the
 * gateway alone (signed HTTP charges straight to it, same concurrency). Each phase ends with an
 * exactly-once check: captured payments = captured charges in the gateway ledger.
 *
 *   npm run build && node dist/services/payments/bench.js [--seconds 10] [--concurrency 32]
 *     [--warmup 5] [--phases 0,1,2,3,baseline] [--fraud-rounds N] [--unsigned] [--direct]
 *
 * Links go through the stack's fault proxies (its default) unless --direct.
 *
 * Prints one JSON document on stdout; progress on stderr.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import * as hdr from 'hdr-histogram-js';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { Pool } from 'undici';
import { createClient } from '../../platform/grpc/client.js';
import { PaymentStatus, PaymentsServiceService } from '../../proto/gen/ecom/payments/v1/payments.js';
import { startStack } from '../../stack/start.js';
import { SIGNATURE_HEADER, signaturePayload } from './crypto-work.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 10);
const concurrency = Number(arg('concurrency') ?? 32);
const warmupSeconds = Number(arg('warmup') ?? 5);
const fraudRounds = Number(arg('fraud-rounds') ?? 0);
const unsigned = process.argv.includes('--unsigned');
const links = process.argv.includes('--direct') ? 'direct' : 'proxied';
const latency = { p50: 20, p99: 100 };
const PHASES: Record<string, { name: string; behaviour: object; direct?: true }> = {
  baseline: { name: 'baseline: gateway alone, latency 0', behaviour: {}, direct: true },
  0: { name: 'gateway latency 0', behaviour: {} },
  1: { name: 'gateway latency p50 20 ms / p99 100 ms', behaviour: { latencyMs: latency } },
  2: { name: '10% gateway errors (5xx), latency 20/100', behaviour: { latencyMs: latency, errorRate: 0.1 } },
  3: {
    name: '10% errors after commit, latency 20/100',
    behaviour: { latencyMs: latency, errorAfterCommitRate: 0.1 },
  },
};
const phases = (arg('phases') ?? '0,1,2,3,baseline').split(',').map((p) => PHASES[p]!);

const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-'));
const stack = await startStack({
  dir,
  logLevel: 'warn',
  links,
  replicas: { users: 0, inventory: 0, orders: 0, analytics: 0, payments: 2, gateway: 1 },
  serviceOverrides: {
    // undefined drops the key from the written config: signing off on both sides.
    payments: {
      payments: {
        ...(unsigned ? { signingSecret: undefined } : {}),
        ...(fraudRounds > 0 ? { workers: { fraudRounds } } : {}),
      },
    },
    gateway: unsigned ? { gateway: { signingSecret: undefined } } : {},
  },
});
try {
  const addresses = stack.state.components.filter((c) => c.service === 'payments').map((c) => c.endpoint);
  const client = createClient(PaymentsServiceService, {
    name: 'payments',
    addresses,
    defaultDeadlineMs: 3_000,
  });
  const gatewayUrl = stack.state.components
    .find((c) => c.name === 'gateway-1')!
    .metrics!.replace(/\/metrics$/, '');
  const secret: string | undefined = JSON.parse(readFileSync(join(dir, 'config', 'gateway-1.json'), 'utf8'))
    .gateway.signingSecret;
  const direct = new Pool(gatewayUrl, { connections: concurrency });
  const db = await createConnection({ ...stack.state.infra.mysqlPrimary, ...stack.state.mysql });

  const viaPayments = async (key: string, n: number): Promise<string> => {
    try {
      const res = await client.charge({
        idempotencyKey: key,
        orderId: `o-${key}`,
        userId: `u-${n % 1000}`,
        amount: { amountMinor: 1_000 + (n % 5_000), currency: 'EUR' },
        paymentToken: 'tok_ok',
      });
      return PaymentStatus[res.payment!.status] ?? 'unknown';
    } catch (err) {
      return Status[(err as ServiceError).code] ?? 'error';
    }
  };
  const toGateway = async (key: string, n: number): Promise<string> => {
    const body = JSON.stringify({
      amount_minor: 1_000 + (n % 5_000),
      currency: 'EUR',
      payment_token: 'tok_ok',
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key };
    if (secret) {
      const t = Date.now();
      const mac = createHmac('sha256', secret).update(
        signaturePayload({ t, method: 'POST', path: '/v1/charges', idempotencyKey: key, body }),
      );
      headers[SIGNATURE_HEADER] = `t=${t},v1=${mac.digest('hex')}`;
    }
    const res = await direct.request({ method: 'POST', path: '/v1/charges', headers, body });
    await res.body.dump();
    return res.statusCode === 200 ? 'PAYMENT_STATUS_CAPTURED' : `http_${res.statusCode}`;
  };

  const results = [];
  for (const [p, phase] of phases.entries()) {
    await fetch(`${gatewayUrl}/admin/behaviour`, { method: 'DELETE' });
    const put = await fetch(`${gatewayUrl}/admin/behaviour`, {
      method: 'PUT',
      body: JSON.stringify(phase.behaviour),
    });
    if (!put.ok) throw new Error(`behaviour: ${await put.text()}`);
    const prefix = `bench-${process.pid}-${p}-`;
    const call = phase.direct ? toGateway : viaPayments;
    const histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
    });
    const outcomes: Record<string, number> = {};
    let n = 0;
    const loop = async (until: number, measure: boolean) => {
      while (Date.now() < until) {
        const i = n++;
        const t0 = process.hrtime.bigint();
        const outcome = await call(`${prefix}${i}`, i);
        if (!measure) continue;
        histogram.recordValue(Number((process.hrtime.bigint() - t0) / 1_000n));
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    };
    process.stderr.write(
      `${phase.name}: warm-up ${warmupSeconds} s, then ${seconds} s at ${concurrency} in flight\n`,
    );
    const warm = Date.now() + warmupSeconds * 1_000;
    await Promise.all(Array.from({ length: concurrency }, () => loop(warm, false)));
    const started = Date.now();
    await Promise.all(Array.from({ length: concurrency }, () => loop(started + seconds * 1_000, true)));
    const elapsed = (Date.now() - started) / 1_000;
    // Let the settlers finish what is left PENDING (leases last the deadline plus a margin), then
    // compare with the gateway ledger.
    const count = () =>
      db.query<RowDataPacket[]>(
        `SELECT COALESCE(SUM(status = 'CAPTURED'), 0) AS captured, COALESCE(SUM(status = 'PENDING'), 0) AS pending
           FROM payments.payments WHERE idempotency_key LIKE ?`,
        [`${prefix}%`],
      );
    let [payRows] = await count();
    for (let waited = 0; !phase.direct && Number(payRows[0]!.pending) > 0 && waited < 20_000; waited += 500) {
      await new Promise((r) => setTimeout(r, 500));
      [payRows] = await count();
    }
    const [gwRows] = await db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS charges, COUNT(DISTINCT idempotency_key) AS keys_
         FROM gateway.charges WHERE idempotency_key LIKE ? AND status = 'captured'`,
      [`${prefix}%`],
    );
    const pay = payRows[0]!;
    const gw = gwRows[0]!;
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
    const captured = outcomes.PAYMENT_STATUS_CAPTURED ?? 0;
    const result = {
      phase: phase.name,
      calls: total,
      chargesPerSecond: Math.round(captured / elapsed),
      successRate: total === 0 ? 0 : captured / total,
      p50Ms: histogram.getValueAtPercentile(50) / 1_000,
      p99Ms: histogram.getValueAtPercentile(99) / 1_000,
      maxMs: histogram.maxValue / 1_000,
      outcomes,
      exactlyOnce: phase.direct
        ? undefined
        : {
            capturedPayments: Number(pay.captured),
            pendingPayments: Number(pay.pending),
            gatewayCapturedCharges: Number(gw.charges),
            ok: Number(gw.charges) === Number(gw.keys_) && Number(gw.charges) === Number(pay.captured),
          },
    };
    process.stderr.write(`${JSON.stringify(result)}\n`);
    results.push(result);
  }
  client.close();
  await direct.close();
  await db.end();
  process.stdout.write(
    `${JSON.stringify({ seconds, concurrency, fraudRounds: fraudRounds || 'default', unsigned, links, results }, null, 2)}\n`,
  );
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
