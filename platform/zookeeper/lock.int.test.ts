import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Unavailable } from '../errors.js';
import { createZkLocks, type HeldLock } from './lock.js';
import type { ZkSession } from './session.js';
import { startBlackholeProxy, startTestZooKeeper, type TestZooKeeper } from './testing.js';

const logger = pino({ level: 'silent' });
const root = '/test/locks';
let zk: TestZooKeeper;
let sessions: ZkSession[];

beforeAll(async () => {
  zk = await startTestZooKeeper();
  sessions = await Promise.all([zk.session(), zk.session(), zk.session()]);
});
afterAll(async () => {
  await zk?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ZooKeeper lock recipe', () => {
  it('lets one holder at a time in, in the order they queued, with increasing fencing tokens', async () => {
    const lockers = sessions.map((s) => createZkLocks(s, { root, logger }));
    let inside = 0;
    let maxInside = 0;
    const tokens: bigint[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const lock = await lockers[i % 3]!.acquire('sku-1', { timeoutMs: 20_000 });
        inside++;
        maxInside = Math.max(maxInside, inside);
        tokens.push(lock.token);
        await sleep(2);
        inside--;
        await lock.release();
      }),
    );
    expect(maxInside).toBe(1);
    expect(tokens).toHaveLength(24);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true);
    expect(await sessions[0]!.getChildren(`${root}/sku-1`)).toEqual([]);
  });

  it('gives up after the timeout and leaves no node behind', async () => {
    const [a, b] = sessions.map((s) => createZkLocks(s, { root, logger }));
    const held = await a!.acquire('sku-2', { timeoutMs: 5_000 });
    const t0 = Date.now();
    await expect(b!.acquire('sku-2', { timeoutMs: 300 })).rejects.toBeInstanceOf(Unavailable);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(await sessions[0]!.getChildren(`${root}/sku-2`)).toHaveLength(1);
    await held.release();
    const next = await b!.acquire('sku-2', { timeoutMs: 1_000 });
    expect(next.token > held.token).toBe(true);
    await next.release();
  });

  it('takes overlapping sets without deadlock, each lock held by one set at a time, one token per set', async () => {
    const lockers = sessions.map((s) => createZkLocks(s, { root, logger }));
    const sets = [
      ['c', 'a', 'b'],
      ['b', 'c'],
      ['a', 'c', 'a'],
    ];
    const inside = new Map<string, number>();
    let overlaps = 0;
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const held = await lockers[i % 3]!.acquireAll(sets[i % 3]!, { timeoutMs: 20_000 });
        const names = [...new Set(sets[i % 3])].sort();
        expect(held.locks.map((l) => l.name)).toEqual(names);
        expect(new Set(held.tokens.values()).size).toBe(1);
        expect(held.valid()).toBe(true);
        for (const n of names) {
          if ((inside.get(n) ?? 0) > 0) overlaps++;
          inside.set(n, (inside.get(n) ?? 0) + 1);
        }
        await sleep(1);
        for (const n of names) inside.set(n, inside.get(n)! - 1);
        await held.release();
      }),
    );
    expect(overlaps).toBe(0);
    for (const n of ['a', 'b', 'c']) expect(await sessions[0]!.getChildren(`${root}/${n}`)).toEqual([]);
  });

  it('voids a lock whose session is lost, and a later holder gets a larger token', async () => {
    const proxy = await startBlackholeProxy(zk.port);
    try {
      const cut = await zk.session({ via: proxy.address, sessionTimeoutMs: 2_000 });
      const held: HeldLock = await createZkLocks(cut, { root, logger }).acquire('sku-3', {
        timeoutMs: 5_000,
      });
      expect(held.valid()).toBe(true);
      proxy.setBlackholed(true);
      const other = createZkLocks(sessions[1]!, { root, logger });
      const t0 = Date.now();
      const next = await other.acquire('sku-3', { timeoutMs: 15_000 });
      // The watchdog gives up at 2/3 of the session timeout, before the server expires the session.
      expect(held.valid()).toBe(false);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500);
      expect(next.token > held.token).toBe(true);
      await next.release();
      await held.release();
    } finally {
      proxy.setBlackholed(false);
      await proxy.stop();
    }
  });
});
