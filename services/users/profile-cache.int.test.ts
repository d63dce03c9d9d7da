import { status as Status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { createDatabase, type Database } from '../../platform/mysql.js';
import { createRedis, type RedisHandle } from '../../platform/redis.js';
import { pollUntil, startTestStack } from '../../test/harness.js';
import { createProfileCache, floorKey, profileKey } from './profile-cache.js';
import { createProfiles, type Profiles } from './profiles.js';
import { createUsersStore, type UsersStore } from './store.js';
import { bearer, codeOf, usersClients, type UsersClient } from './testing.js';

const NO_OTHER_SERVICES = { inventory: 0, payments: 0, gateway: 0, orders: 0, analytics: 0 };
const PASSWORD = 'profile-cache-password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metric(url: string, line: RegExp): Promise<number> {
  const text = await (await fetch(url)).text();
  const m = line.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('users: profile cache (real MariaDB and Redis, two instances)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let each: UsersClient[];
  let all: UsersClient;
  let n = 0;

  async function newUser(): Promise<{ userId: string; token: string }> {
    const email = `cache-${Date.now()}-${n++}@example.test`;
    const { profile } = await all.register({ email, password: PASSWORD, displayName: 'v1' });
    const { tokens } = await all.login({ email, password: PASSWORD });
    return { userId: profile!.userId, token: tokens!.accessToken };
  }

  beforeAll(async () => {
    stack = await startTestStack({
      replicas: { users: 2, ...NO_OTHER_SERVICES },
      serviceOverrides: { users: { users: { profileCache: { repairIntervalMs: 200 } } } },
    });
    ({ each, all } = usersClients(stack.state));
  });
  afterAll(async () => {
    for (const c of [...(each ?? []), all]) c?.close();
    await stack?.stop();
  });

  it('after each UpdateProfile returns, every later read on either instance sees that version or newer', async () => {
    const { userId, token } = await newUser();
    const redis = createRedis(
      stack.state.infra.redis,
      createLogger({ component: 'test', level: 'silent' }),
    ).client;
    await new Promise((r) => redis.once('ready', r));
    const auth = bearer(token);
    let floor = 1;
    let updating = true;
    let reads = 0;
    const violations: string[] = [];
    const reader = async (client: UsersClient) => {
      while (updating) {
        const expected = floor;
        const { profile } = await client.getProfile({ userId }, auth);
        reads++;
        if (profile!.version < expected)
          violations.push(`read v${profile!.version} after v${expected} returned`);
      }
    };
    const readers = Array.from({ length: 8 }, (_, i) => reader(each[i % 2]!));
    // Entries vanish now and then (eviction, expiry), so readers miss, read the primary and fill
    // while updates run: the race a plain delete-on-update cache loses.
    const evictor = (async () => {
      while (updating) {
        await redis.del(profileKey(userId));
        await sleep(1);
      }
    })();
    for (let i = 0; i < 40; i++) {
      const { profile } = await each[i % 2]!.updateProfile({ userId, displayName: `name ${i}` }, auth);
      floor = profile!.version;
      await sleep(i % 3); // vary the interleaving
    }
    updating = false;
    await Promise.all([...readers, evictor]);
    expect(violations).toEqual([]);
    expect(floor).toBe(41);
    expect(reads).toBeGreaterThan(100);
    // Both paths ran: answers from the cache, and misses that read the primary and filled.
    const total = async (result: string) => {
      const urls = stack.state.components.filter((c) => c.service === 'users').map((c) => c.metrics!);
      const re = new RegExp(`ecom_users_profile_cache_lookups_total\\{result="${result}"[^}]*\\} (\\d+)`);
      return (await Promise.all(urls.map((u) => metric(u, re)))).reduce((a, b) => a + b);
    };
    expect(await total('hit')).toBeGreaterThan(0);
    expect(await total('miss')).toBeGreaterThan(10);
    redis.disconnect();
  });

  it('Redis down: GetProfile falls back to MySQL, UpdateProfile succeeds, Login fails closed; afterwards reads see the update', async () => {
    const { userId, token } = await newUser();
    const auth = bearer(token);
    await all.getProfile({ userId }, auth); // cached at v1
    await stack.control.stop('redis');
    try {
      for (const c of each) expect((await c.getProfile({ userId }, auth)).profile!.version).toBe(1);
      const { profile } = await each[0]!.updateProfile({ userId, displayName: 'during outage' }, auth);
      expect(profile!.version).toBe(2);
      for (const c of each)
        expect((await c.getProfile({ userId }, auth)).profile!.displayName).toBe('during outage');
      const email = profile!.email;
      expect(await codeOf(all.login({ email, password: PASSWORD }))).toBe(Status.UNAVAILABLE);
    } finally {
      await stack.control.start('redis');
    }
    for (const c of each) expect((await c.getProfile({ userId }, auth)).profile!.version).toBe(2);
    const email = (await all.getProfile({ userId }, auth)).profile!.email;
    let login = Status.UNAVAILABLE;
    for (let i = 0; i < 50 && login !== Status.OK; i++) {
      login = await codeOf(all.login({ email, password: PASSWORD }));
      if (login !== Status.OK) await sleep(100);
    }
    expect(login).toBe(Status.OK);
  });

  describe('in-process instances over the same MariaDB and Redis', () => {
    const logger = createLogger({ component: 'test', level: 'silent' });
    let db: Database;
    const redises: RedisHandle[] = [];
    const started: Profiles[] = [];

    beforeAll(() => {
      const s = stack.state;
      db = createDatabase(
        {
          primary: s.infra.mysqlPrimary,
          replica: s.infra.mysqlReplica,
          ...s.mysql,
          database: 'users',
          poolSize: 4,
        },
        { logger },
      );
    });
    afterAll(async () => {
      for (const p of started) await p.stop();
      for (const r of redises) await r.stop();
      await db?.stop();
    });

    const ready = (r: RedisHandle) =>
      r.client.status === 'ready' ? Promise.resolve() : new Promise((res) => r.client.once('ready', res));

    async function instance(opts: { store?: UsersStore; fillMaxAgeMs?: number } = {}) {
      const redis = createRedis(stack.state.infra.redis, logger);
      await ready(redis);
      redises.push(redis);
      const profiles = createProfiles({
        store: opts.store ?? createUsersStore(db),
        cache: createProfileCache(redis.client, { ttlSeconds: 300 }),
        redis: redis.client,
        logger,
        registry: new Registry(),
        fillMaxAgeMs: opts.fillMaxAgeMs ?? 1_000,
        repairIntervalMs: 200,
      });
      started.push(profiles);
      return { redis, profiles };
    }

    it('never lets an older version overwrite a newer cache entry', async () => {
      const { userId } = await newUser();
      const { redis } = await instance();
      const cache = createProfileCache(redis.client, { ttlSeconds: 300 });
      const row = (await createUsersStore(db).profile(userId))!;
      expect(await cache.put({ ...row, version: 5, displayName: 'newer' })).toBe(true);
      expect(await cache.put({ ...row, version: 4, displayName: 'older' })).toBe(false);
      expect(await cache.put({ ...row, version: 5, displayName: 'same' })).toBe(false);
      expect((await cache.get(userId))!.displayName).toBe('newer');
      expect(await redis.client.pttl(profileKey(userId))).toBeGreaterThan(290_000);
      // The entry is evicted: a reader still holding version 4 cannot bring it back.
      await redis.client.del(profileKey(userId));
      expect(await cache.put({ ...row, version: 4, displayName: 'older' })).toBe(false);
      expect(await cache.get(userId)).toBeUndefined();
      expect(await cache.put({ ...row, version: 5, displayName: 'refill' })).toBe(true);
      await redis.client.del(profileKey(userId), floorKey(userId));
    });

    /** The real store, except that the next profile read waits, holding its row, until released. */
    function pausingStore() {
      const store = createUsersStore(db);
      let release!: () => void;
      let holding!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const held = new Promise<void>((r) => (holding = r));
      let armed = true;
      const paused: UsersStore = {
        ...store,
        async profile(id) {
          const row = await store.profile(id);
          if (armed) {
            armed = false;
            holding();
            await released;
          }
          return row;
        },
      };
      return { store: paused, held, release };
    }

    it('a reader that read the old row before an update cannot fill it afterwards, even once the entry is evicted', async () => {
      const { userId } = await newUser();
      const slow = pausingStore();
      const reader = await instance({ store: slow.store });
      const writer = await instance();
      await sleep(100);
      const staleRead = reader.profiles.get(userId); // misses, reads v1 from the primary, pauses
      await slow.held;
      expect((await writer.profiles.update(userId, 'v2', new Date())).version).toBe(2);
      await writer.redis.client.del(profileKey(userId)); // evicted before the slow reader fills
      slow.release();
      expect((await staleRead).version).toBe(1); // it was concurrent with the update: either is fine
      expect((await reader.profiles.get(userId)).version).toBe(2);
      expect((await writer.profiles.get(userId)).version).toBe(2);
    });

    it('a reader slower than fillMaxAgeMs does not fill at all (covers an expired floor)', async () => {
      const { userId } = await newUser();
      const slow = pausingStore();
      const reader = await instance({ store: slow.store, fillMaxAgeMs: 50 });
      const writer = await instance();
      await sleep(100);
      const staleRead = reader.profiles.get(userId);
      await slow.held;
      await writer.profiles.update(userId, 'v2', new Date());
      await writer.redis.client.del(profileKey(userId), floorKey(userId));
      await sleep(100);
      slow.release();
      await staleRead;
      expect(await writer.redis.client.get(profileKey(userId))).toBeNull();
      expect((await reader.profiles.get(userId)).version).toBe(2);
    });

    it('a writer cut off from Redis still succeeds; it never serves the old entry, and the repair loop fixes the others', async () => {
      const { userId } = await newUser();
      const a = await instance();
      const b = await instance();
      // Cached at v1 once B has run a repair pass and trusts the cache (polled: on a loaded machine
      // that first pass, a database query, can take a while).
      const cached = await pollUntil(
        async () => {
          expect((await b.profiles.get(userId)).version).toBe(1);
          return a.redis.client.get(profileKey(userId));
        },
        (entry) => entry?.startsWith('1:') === true,
        10_000,
      );
      expect(cached?.startsWith('1:')).toBe(true);

      a.redis.client.disconnect(); // a partition of A alone: B still reaches Redis
      const updated = await a.profiles.update(userId, 'partitioned write', new Date());
      expect(updated.version).toBe(2);
      expect((await a.profiles.get(userId)).version).toBe(2);

      // B's repair loop (any instance) rewrites the entry from the repair row of A's transaction.
      const entry = await pollUntil(
        () => b.redis.client.get(profileKey(userId)),
        (e) => e?.startsWith('2:') === true,
        15_000,
      );
      expect(entry?.startsWith('2:')).toBe(true);
      expect((await b.profiles.get(userId)).displayName).toBe('partitioned write');
      expect(await createUsersStore(db).pendingRepairs(1000)).not.toContainEqual(
        expect.objectContaining({ userId }),
      );
    });
  });
});
