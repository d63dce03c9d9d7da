import { Redis } from 'ioredis';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, startTestStack } from '../../test/harness.js';
import { createLogger } from '../logger.js';
import { newEvent, type DomainEvent } from './events.js';
import { outbox } from './outbox.js';
import { startOutboxRelay, type OutboxRelay } from './relay.js';

const STREAM = 'test:events';
const logger = createLogger({ component: 'relay-test', level: 'silent' });
let stack: Awaited<ReturnType<typeof startTestStack>>;
let pool: Pool;
let redis: Redis;
const relays: OutboxRelay[] = [];

const relay = (batchSize = 50) => {
  const r = startOutboxRelay({ pool, redis, logger, stream: STREAM, batchSize, idleMs: 20 });
  relays.push(r);
  return r;
};
const events = (n: number, tag: string): DomainEvent[] =>
  Array.from({ length: n }, (_, i) => newEvent('stock.out', { sku: `${tag}-${i}` }, { source: 'test' }));
/** Adds events in one committed (or rolled back) transaction, as a service would. */
async function publish(list: DomainEvent[], commit = true): Promise<void> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await outbox.add(conn, ...list);
    if (commit) await conn.commit();
    else await conn.rollback();
  } finally {
    conn.release();
  }
}
/** Event ids in the stream, in stream order. */
async function streamIds(): Promise<string[]> {
  const entries = (await redis.xrange(STREAM, '-', '+')) as [string, string[]][];
  return entries.map(([, f]) => f[f.indexOf('id') + 1]!);
}
/** Outbox rows not yet marked relayed. */
async function unrelayed(): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM outbox WHERE relayed_at IS NULL',
  );
  return Number(rows[0]!.n);
}

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  stack = await startTestStack({
    replicas: { users: 0, inventory: 0, payments: 0, gateway: 0, orders: 0, analytics: 0 },
  });
  const { mysqlPrimary, redis: r } = stack.state.infra;
  // The orders database has the outbox table (migration 002_outbox.sql).
  pool = createPool({ ...mysqlPrimary, ...stack.state.mysql, database: 'orders', connectionLimit: 6 });
  redis = new Redis({ ...r, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  for (const r of relays) await r.stop();
  redis?.disconnect();
  await pool?.end();
  await stack?.stop();
});

describe('the outbox relay (real MariaDB and Redis)', () => {
  it('relays committed events once each, in order, with the event id; rolled back ones never', async () => {
    const committed = events(230, 'a');
    await publish(committed);
    await publish(events(5, 'rolled-back'), false);
    const r = relay(50);
    await until(async () => (await streamIds()).length >= 230);
    // Every row marked relayed (the relay marks a batch after sending it, so poll for it), and
    // nothing more sent meanwhile.
    await until(async () => (await unrelayed()) === 0);
    await new Promise((res) => setTimeout(res, 300));
    expect(await streamIds()).toEqual(committed.map((e) => e.id));
    const [first] = (await redis.xrange(STREAM, '-', '+', 'COUNT', 1)) as [string, string[]][];
    const fields = first![1];
    expect(JSON.parse(fields[fields.indexOf('event') + 1]!)).toEqual(committed[0]);
    await r.stop();
  });

  it('two relays share the work without duplicates (SKIP LOCKED)', async () => {
    await redis.del(STREAM);
    const list = events(400, 'b');
    relay(20);
    relay(20);
    await publish(list.slice(0, 200));
    await publish(list.slice(200));
    await until(async () => (await streamIds()).length >= 400);
    await new Promise((res) => setTimeout(res, 300));
    const ids = await streamIds();
    expect(ids).toHaveLength(400);
    expect(new Set(ids)).toEqual(new Set(list.map((e) => e.id)));
  });

  it('relays again what a restarted (empty) Redis lost, and what was written while it was down', async () => {
    const before = await streamIds();
    expect(before.length).toBe(400);
    await stack.control.stop('redis');
    const during = events(30, 'c');
    await publish(during);
    await stack.control.start('redis');
    // The new Redis has none of the earlier events: every retained row of the old epoch goes again.
    await until(async () => {
      const ids = await streamIds().catch(() => []);
      return ids.length >= 230 + 400 + 30;
    }, 30_000);
    const ids = new Set(await streamIds());
    for (const id of [...before, ...during.map((e) => e.id)]) expect(ids.has(id)).toBe(true);
    // Every row ends marked relayed in the new epoch (the relay marks a batch after sending it).
    const marks = async () => {
      const [rows] = await pool.query<RowDataPacket[]>(
        'SELECT COUNT(DISTINCT relayed_epoch) AS epochs, COUNT(*) AS n FROM outbox WHERE relayed_at IS NOT NULL',
      );
      return { epochs: Number(rows[0]!.epochs), n: Number(rows[0]!.n) };
    };
    expect(await pollUntil(marks, (m) => m.n === 660 && m.epochs === 1, 20_000)).toEqual({
      epochs: 1,
      n: 660,
    });
  });

  it('validates its options up front', () => {
    expect(() => startOutboxRelay({ pool, redis, logger, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => startOutboxRelay({ pool, redis, logger, idleMs: 1 })).toThrow(/idleMs/);
  });
});
