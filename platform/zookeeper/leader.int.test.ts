import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLeaderElection, type LeaderElection } from './leader.js';
import { startBlackholeProxy, startTestZooKeeper, type TestZooKeeper } from './testing.js';

const logger = pino({ level: 'silent' });
let zk: TestZooKeeper;

beforeAll(async () => {
  zk = await startTestZooKeeper();
});
afterAll(async () => {
  await zk?.stop();
});

async function until(cond: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

describe('ZooKeeper leader election', () => {
  it('elects exactly one leader and fails over when it leaves', async () => {
    const path = '/test/election-1';
    const sessions = await Promise.all([zk.session(), zk.session(), zk.session()]);
    const elections = sessions.map((s, i) => startLeaderElection(s, { path, id: `c${i}`, logger }));
    const events: string[] = [];
    elections.forEach((e, i) => {
      e.on('elected', () => events.push(`elected ${i}`));
      e.on('revoked', () => events.push(`revoked ${i}`));
    });
    const leaders = () => elections.filter((e) => e.isLeader());
    await until(() => leaders().length === 1, 5_000);
    const first = elections.indexOf(leaders()[0]!);
    expect(events).toEqual([`elected ${first}`]);

    await elections[first]!.stop();
    await until(() => leaders().length === 1, 5_000);
    const second = elections.indexOf(leaders()[0]!);
    expect(second).not.toBe(first);
    expect(events).toEqual([`elected ${first}`, `revoked ${first}`, `elected ${second}`]);
    await Promise.all(elections.map((e) => e.stop()));
    expect(leaders()).toHaveLength(0);
  });

  it('revokes at once when the leader loses its session; another leads once the session expires', async () => {
    const path = '/test/election-2';
    const proxy = await startBlackholeProxy(zk.port);
    const elections: LeaderElection[] = [];
    try {
      const cut = await zk.session({ via: proxy.address, sessionTimeoutMs: 2_000 });
      const leader = startLeaderElection(cut, { path, id: 'cut', logger, recheckMs: 200 });
      elections.push(leader);
      await until(() => leader.isLeader(), 5_000);
      const other = startLeaderElection(await zk.session({ sessionTimeoutMs: 2_000 }), {
        path,
        id: 'other',
        logger,
        recheckMs: 200,
      });
      elections.push(other);
      let revokedAt = 0;
      leader.on('revoked', () => (revokedAt = Date.now()));
      await new Promise((r) => setTimeout(r, 300));
      expect(other.isLeader()).toBe(false);

      const t0 = Date.now();
      proxy.setBlackholed(true);
      const tookOver = await until(() => other.isLeader(), 15_000);
      expect(revokedAt).toBeGreaterThan(0);
      // The old leader stepped down (watchdog, 2/3 of the timeout) before the new one took over.
      expect(revokedAt).toBeLessThanOrEqual(t0 + tookOver);
      expect(leader.isLeader()).toBe(false);
    } finally {
      proxy.setBlackholed(false);
      await Promise.all(elections.map((e) => e.stop()));
      await proxy.stop();
    }
  });
});
