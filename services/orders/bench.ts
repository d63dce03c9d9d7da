/**
 * End-to-end PlaceOrder benchmark on a real stack (two instances of every service): confirmed
 * orders per second and PlaceOrder latency with a steady mix, then the same with the gateway at
 * 10% errors, in one run. Run after `npm run build`:
 *   node dist/services/orders/bench.js [--seconds 20] [--concurrency 32] [--seed 42]
 * Prints one JSON document on stdout.
 */
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { OrderStatus, RejectReason } from '../../proto/gen/ecom/orders/v1/orders.js';
import { newUser, seedSkus, startOrdersStack, type OrdersStack, type TestUser } from './test-support.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 20);
const CONCURRENCY = arg('concurrency', 32);
let seed = arg('seed', 42) >>> 0;
/** mulberry32: a seeded source so a run can be replayed. */
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const SKUS = Array.from({ length: 200 }, (_, i) => `b-${i}`);
const SCARCE = 'b-scarce';

interface Phase {
  name: string;
  seconds: number;
  attempted: number;
  confirmed: number;
  confirmedPerSecond: number;
  rejected: Record<string, number>;
  pendingAtAnswer: number;
  errors: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

async function phase(s: OrdersStack, users: TestUser[], name: string, seconds: number): Promise<Phase> {
  const latencies: number[] = [];
  const out: Phase = {
    name,
    seconds,
    attempted: 0,
    confirmed: 0,
    confirmedPerSecond: 0,
    rejected: {},
    pendingAtAnswer: 0,
    errors: {},
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
  };
  const until = Date.now() + seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (Date.now() < until) {
      const r = random();
      // Steady mix: 90% ordinary baskets, 5% declined cards, 5% out of stock.
      const lines =
        r < 0.05
          ? [{ sku: SCARCE, quantity: 5 }]
          : Array.from(
              new Set(
                Array.from(
                  { length: 1 + Math.floor(random() * 3) },
                  () => SKUS[Math.floor(random() * SKUS.length)]!,
                ),
              ),
            ).map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 2) }));
      const token = r >= 0.05 && r < 0.1 ? 'tok_decline' : 'tok_ok';
      const user = users[Math.floor(random() * users.length)]!;
      const started = performance.now();
      out.attempted++;
      try {
        const res = await s.orders.placeOrder(
          {
            idempotencyKey: `${name}-${process.pid}-${n++}`,
            userId: '',
            lines,
            paymentToken: token,
            currency: '',
          },
          user.auth({ deadlineMs: 5_000 }),
        );
        latencies.push(performance.now() - started);
        const o = res.order!;
        if (o.status === OrderStatus.ORDER_STATUS_CONFIRMED) out.confirmed++;
        else if (o.status === OrderStatus.ORDER_STATUS_REJECTED) {
          const reason = RejectReason[o.rejectReason] ?? String(o.rejectReason);
          out.rejected[reason] = (out.rejected[reason] ?? 0) + 1;
        } else out.pendingAtAnswer++;
      } catch (err) {
        const code = Status[(err as ServiceError).code] ?? 'UNKNOWN';
        out.errors[code] = (out.errors[code] ?? 0) + 1;
      }
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (Date.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 10) / 10;
  out.seconds = Math.round(elapsed * 10) / 10;
  out.confirmedPerSecond = Math.round((out.confirmed / elapsed) * 10) / 10;
  out.latencyMs = { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) };
  return out;
}

/** CPU seconds used so far by each service's processes (from process_cpu_seconds_total). */
async function cpuByService(s: OrdersStack): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of s.stack.state.components.filter((x) => x.kind === 'service' && x.metrics)) {
    const text = await (await fetch(c.metrics!)).text();
    const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total'));
    out[c.service!] = (out[c.service!] ?? 0) + Number(line?.split(' ').pop() ?? 0);
  }
  return out;
}

/** CPU milliseconds per attempted order, by service, between two snapshots. */
function cpuPerOrder(before: Record<string, number>, after: Record<string, number>, orders: number) {
  return Object.fromEntries(
    Object.keys(after).map((k) => [
      k,
      Math.round((((after[k] ?? 0) - (before[k] ?? 0)) * 1000 * 10) / orders) / 10,
    ]),
  );
}

/** Mean saga step durations (ms) over the orders instances, from their /metrics. */
async function stepMeans(s: OrdersStack): Promise<Record<string, number>> {
  const sums: Record<string, { sum: number; count: number }> = {};
  for (const c of s.stack.state.components.filter((x) => x.service === 'orders')) {
    const text = await (await fetch(c.metrics!)).text();
    for (const line of text.split('\n')) {
      const m =
        /^(ecom_orders_saga_step_duration_seconds|ecom_rpc_(?:client|server)_duration_seconds)_(sum|count)\{([^}]*)\} (\S+)$/.exec(
          line,
        );
      if (!m) continue;
      const labels = Object.fromEntries([...m[3]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      const isStep = m[1] === 'ecom_orders_saga_step_duration_seconds';
      if (isStep && (labels.result === 'retry' || labels.result === 'gave-up')) continue;
      if (!isStep && (labels.code !== 'OK' || !['GetSkus', 'PlaceOrder'].includes(labels.method ?? '')))
        continue;
      const e = (sums[(isStep ? labels.step : labels.method)!] ??= { sum: 0, count: 0 });
      e[m[2] === 'sum' ? 'sum' : 'count'] += Number(m[4]);
    }
  }
  return Object.fromEntries(
    Object.entries(sums).map(([k, v]) => [k, Math.round((v.sum / Math.max(1, v.count)) * 10_000) / 10]),
  );
}

async function gatewayBehaviour(s: OrdersStack, patch: Record<string, unknown> | null): Promise<void> {
  for (const c of s.stack.state.components.filter((x) => x.service === 'gateway')) {
    const url = `${new URL(c.metrics!).origin}/admin/behaviour`;
    const res = await fetch(url, {
      method: patch ? 'PUT' : 'DELETE',
      ...(patch ? { body: JSON.stringify(patch), headers: { 'content-type': 'application/json' } } : {}),
    });
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  }
}

const s = await startOrdersStack({
  replicas: { users: 2, inventory: 2, payments: 2, gateway: 2, orders: 2, analytics: 0 },
  orders: { rateLimit: { perUser: null, perAddress: null } },
});
try {
  process.stderr.write(`stack up (seed ${arg('seed', 42)}); seeding\n`);
  await seedSkus(s, SKUS, { stock: 1_000_000, priceMinor: 499 });
  await seedSkus(s, [SCARCE], { stock: 0, priceMinor: 499 });
  const users = await Promise.all(Array.from({ length: 20 }, (_, i) => newUser(s, `bench-${i}`)));
  await phase(s, users, 'warmup', 5);
  const cpu0 = await cpuByService(s);
  const steady = await phase(s, users, 'steady', SECONDS);
  const cpuMsPerOrder = cpuPerOrder(cpu0, await cpuByService(s), steady.attempted);
  await gatewayBehaviour(s, { errorRate: 0.1 });
  const faulty = await phase(s, users, 'gateway-10pct-errors', SECONDS);
  await gatewayBehaviour(s, null);
  const stepMeanMs = await stepMeans(s);
  process.stdout.write(
    `${JSON.stringify({ concurrency: CONCURRENCY, seed: arg('seed', 42), phases: [steady, faulty], stepMeanMs, cpuMsPerOrder }, null, 2)}\n`,
  );
} finally {
  await s.stop();
}
