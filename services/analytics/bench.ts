/**
 * Event pipeline benchmark on a real stack (infrastructure + one analytics instance): how fast the
 * outbox relay moves events to Redis and how fast analytics counts them, each next to a raw
 * ceiling measured in the same run (pipelined XADD; plain multi-row INSERT of the same ids).
 *   npm run build && node dist/services/analytics/bench.js [--events 20000]
 * Prints one JSON document on stdout.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPool } from 'mysql2/promise';
import { createClient } from '../../platform/grpc/client.js';
import { createLogger } from '../../platform/logger.js';
import { EVENTS_STREAM, newEvent, type DomainEvent } from '../../platform/outbox/events.js';
import { outbox } from '../../platform/outbox/outbox.js';
import { startOutboxRelay } from '../../platform/outbox/relay.js';
import { AnalyticsServiceService } from '../../proto/gen/ecom/analytics/v1/analytics.js';
import { startTestStack } from '../../test/harness.js';

const i = process.argv.indexOf('--events');
const N = i >= 0 ? Number(process.argv[i + 1]) : 20_000;
const BATCH = 200;

const order = (n: number) => ({
  orderId: randomUUID(),
  userId: `u-${n % 100}`,
  currency: 'EUR',
  totalMinor: 1_000,
  lines: [
    { sku: `sku-${n % 50}`, quantity: 1, unitPriceMinor: 400 },
    { sku: `sku-${(n + 7) % 50}`, quantity: 2, unitPriceMinor: 300 },
  ],
});
const events = (tag: string): DomainEvent[] =>
  Array.from({ length: N }, (_, n) => newEvent('order.confirmed', order(n), { source: tag }));
const rate = (count: number, ms: number) => Math.round((count / ms) * 1_000);

const stack = await startTestStack({
  replicas: { users: 0, inventory: 0, payments: 0, gateway: 0, orders: 0, analytics: 1 },
});
try {
  const { mysqlPrimary, redis: r } = stack.state.infra;
  const redis = new Redis({ ...r });
  const orders = createPool({
    ...mysqlPrimary,
    ...stack.state.mysql,
    database: 'orders',
    connectionLimit: 4,
  });
  const analyticsDb = createPool({
    ...mysqlPrimary,
    ...stack.state.mysql,
    database: 'analytics',
    connectionLimit: 4,
  });
  const a = stack.state.components.find((c) => c.service === 'analytics')!;
  const client = createClient(AnalyticsServiceService, {
    name: 'analytics',
    addresses: [a.endpoint],
    defaultDeadlineMs: 5_000,
  });
  const confirmed = async () => (await client.getSummary({ windowSeconds: 0 })).summary!.ordersConfirmed;
  const waitFor = async (want: number) => {
    while ((await confirmed()) < want) await new Promise((res) => setTimeout(res, 20));
  };

  // Raw ceiling 1: pipelined XADD of N events (into a scratch stream).
  const raw = events('raw');
  let t = Date.now();
  for (let k = 0; k < N; k += BATCH) {
    const p = redis.pipeline();
    for (const e of raw.slice(k, k + BATCH))
      p.xadd('bench:raw', '*', 'id', e.id, 'type', e.type, 'event', JSON.stringify(e));
    await p.exec();
  }
  const xaddMs = Date.now() - t;

  // Relay: N events committed into the outbox (batches of 200), then relayed.
  const viaOutbox = events('outbox');
  for (let k = 0; k < N; k += BATCH) {
    const conn = await orders.getConnection();
    await conn.beginTransaction();
    await outbox.add(conn, ...viaOutbox.slice(k, k + BATCH));
    await conn.commit();
    conn.release();
  }
  t = Date.now();
  const relay = startOutboxRelay({
    pool: orders,
    redis,
    logger: createLogger({ component: 'bench', level: 'warn' }),
  });
  while ((await redis.xlen(EVENTS_STREAM)) < N) await new Promise((res) => setTimeout(res, 10));
  const relayMs = Date.now() - t;
  // Analytics counts them as the relay hands them over; measure to the last one counted.
  await waitFor(N);
  const relayAndCountMs = Date.now() - t;
  await relay.stop();

  // Analytics alone: N more events straight into the stream.
  const direct = events('direct');
  t = Date.now();
  for (let k = 0; k < N; k += BATCH) {
    const p = redis.pipeline();
    for (const e of direct.slice(k, k + BATCH))
      p.xadd(EVENTS_STREAM, '*', 'id', e.id, 'type', e.type, 'event', JSON.stringify(e));
    await p.exec();
  }
  await waitFor(2 * N);
  const countMs = Date.now() - t;

  // Raw ceiling 2: the dedupe insert alone (multi-row INSERT of N fresh ids, batches of 200, each
  // its own autocommit transaction, into a real table shaped like processed_events).
  const conn = await analyticsDb.getConnection();
  await conn.query('CREATE TABLE bench_ids LIKE processed_events');
  t = Date.now();
  for (let k = 0; k < N; k += BATCH) {
    await conn.query('INSERT INTO bench_ids (event_id, batch_id, type) VALUES ?', [
      raw.slice(k, k + BATCH).map((e) => [e.id, 'b', e.type]),
    ]);
  }
  const insertMs = Date.now() - t;
  await conn.query('DROP TABLE bench_ids');
  conn.release();

  process.stdout.write(
    JSON.stringify(
      {
        events: N,
        results: [
          { name: 'raw XADD, pipelined 200 (ceiling)', eventsPerSecond: rate(N, xaddMs) },
          {
            name: 'outbox relay: committed rows → stream',
            eventsPerSecond: rate(N, relayMs),
            ratioToCeiling: +(xaddMs / relayMs).toFixed(2),
          },
          { name: 'relay + analytics counted (end to end)', eventsPerSecond: rate(N, relayAndCountMs) },
          { name: 'raw multi-row INSERT of the ids (ceiling)', eventsPerSecond: rate(N, insertMs) },
          {
            name: 'analytics: stream → counted (dedupe + counters)',
            eventsPerSecond: rate(N, countMs),
            ratioToCeiling: +(insertMs / countMs).toFixed(2),
          },
        ],
      },
      null,
      2,
    ) + '\n',
  );
  client.close();
  redis.disconnect();
  await Promise.all([orders.end(), analyticsDb.end()]);
} finally {
  await stack.stop();
}
