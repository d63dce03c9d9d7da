import { Counter, Gauge, type Registry } from 'prom-client';
import { NotFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis.js';
import type { ProfileCache } from './profile-cache.js';
import type { UserRow, UsersStore } from './store.js';

/** Profiles with a Redis cache-aside in front of the primary. */
export interface Profiles {
  /** The current profile (NotFound if there is no such user). */
  get(userId: string): Promise<UserRow>;
  /** Sets the display name; once it resolves, no reader anywhere gets an older version. */
  update(userId: string, displayName: string, now: Date): Promise<UserRow>;
  /** Re-applies cache writes that failed; returns how many entries it rewrote. */
  repair(): Promise<number>;
  stop(): Promise<void>;
}

/** Dependencies and settings of {@link createProfiles}. */
export interface ProfilesDeps {
  store: UsersStore;
  /** Absent when the cache is disabled: every read goes to the primary. */
  cache?: ProfileCache;
  redis: Redis;
  logger: Logger;
  registry: Registry;
  fillMaxAgeMs: number;
  repairIntervalMs: number;
}

/**
 * Cache-aside with versions. Why no reader sees an old profile once UpdateProfile returns:
 * - every write to the cache is "set if newer" (Lua), the writer stores its new version itself
 *   before returning, and readers fill only from the primary, so an old row cannot replace it;
 * - a reader whose primary read is older than fillMaxAgeMs does not fill (the newer entry could
 *   have expired meanwhile);
 * - if the writer cannot reach Redis, the update still succeeds: the repair row written in its
 *   transaction makes every instance rewrite the entry within repairIntervalMs, this instance
 *   ignores cached versions below the one it wrote, and an instance that lost its Redis connection
 *   (or saw a cache error) reads only the primary until it has applied every pending repair.
 * Redis down: reads fall back to the primary (fail open); updates succeed.
 */
export function createProfiles(deps: ProfilesDeps): Profiles {
  const { store, cache, logger } = deps;
  const m = profileMetrics(deps.registry);
  /** Versions this instance wrote to MySQL but could not write to the cache. */
  const floors = new Map<string, number>();
  let trusted = false;
  let errors = 0;
  const distrust = (err?: unknown, what?: string) => {
    errors++;
    if (trusted && err)
      logger.warn({ err: (err as Error).message, what }, 'profile cache unavailable: reading MySQL');
    trusted = false;
  };
  const onClose = () => distrust();
  deps.redis.on('close', onClose);

  async function fill(row: UserRow, readStartedAt: number) {
    // Untrusted means Redis just failed: do not make readers wait on it again.
    if (!cache || !trusted || Date.now() - readStartedAt > deps.fillMaxAgeMs) return;
    await cache.put(row).catch((err: unknown) => distrust(err, 'fill'));
  }

  async function repair(): Promise<number> {
    if (!cache) return 0;
    const epoch = errors;
    let done = 0;
    for (;;) {
      const pending = await store.pendingRepairs(100);
      for (const p of pending) {
        const row = await store.profile(p.userId);
        if (row) await cache.put(row);
        await store.clearRepair(p.userId, row ? row.version : Number.MAX_SAFE_INTEGER);
        if ((floors.get(p.userId) ?? 0) <= (row?.version ?? Infinity)) floors.delete(p.userId);
        done++;
      }
      if (pending.length < 100) break;
    }
    if (done > 0) m.repairs.inc(done);
    if (errors === epoch && deps.redis.status === 'ready' && !trusted) {
      trusted = true;
      logger.info('profile cache trusted again');
    }
    return done;
  }

  let repairing: Promise<unknown> | undefined;
  const tick = () => {
    repairing ??= repair()
      .catch((err: unknown) => distrust(err, 'repair'))
      .finally(() => (repairing = undefined));
  };
  const timer = cache ? setInterval(tick, deps.repairIntervalMs) : undefined;
  timer?.unref();
  if (cache) deps.redis.on('ready', tick);
  if (cache && deps.redis.status === 'ready') tick();

  return {
    async get(userId) {
      if (cache && trusted) {
        try {
          const hit = await cache.get(userId);
          const floor = floors.get(userId) ?? 0;
          if (hit && hit.version >= floor) {
            if (floor > 0) floors.delete(userId);
            m.lookups.inc({ result: 'hit' });
            return hit;
          }
          m.lookups.inc({ result: 'miss' });
        } catch (err) {
          distrust(err, 'get');
          m.lookups.inc({ result: 'error' });
        }
      } else {
        m.lookups.inc({ result: 'bypass' });
      }
      const started = Date.now();
      const row = await store.profile(userId);
      if (!row) throw new NotFound('no such user');
      await fill(row, started);
      return row;
    },

    async update(userId, displayName, now) {
      const row = await store.updateDisplayName(userId, displayName, now, cache !== undefined);
      if (!row) throw new NotFound('no such user');
      if (!cache) return row;
      try {
        await cache.put(row);
      } catch (err) {
        floors.set(row.id, Math.max(row.version, floors.get(row.id) ?? 0));
        m.writeFailures.inc();
        distrust(err, 'update');
        logger.warn({ userId, version: row.version }, 'profile cache write failed: left to the repair loop');
        return row;
      }
      await store
        .clearRepair(row.id, row.version)
        .catch((err: unknown) => logger.warn({ err, userId }, 'could not clear the cache repair row'));
      return row;
    },

    repair,

    async stop() {
      if (timer) clearInterval(timer);
      deps.redis.off('close', onClose);
      deps.redis.off('ready', tick);
      await repairing;
    },
  };
}

function profileMetrics(registry: Registry) {
  const counts = { hit: 0, total: 0 };
  const lookups = new Counter({
    name: 'ecom_users_profile_cache_lookups_total',
    help: 'GetProfile cache lookups: hit, miss, error (Redis failed) or bypass (cache off or not trusted)',
    labelNames: ['result'],
    registers: [registry],
  });
  new Gauge({
    name: 'ecom_users_profile_cache_hit_ratio',
    help: 'Share of GetProfile calls answered from the cache since start',
    registers: [registry],
    collect() {
      this.set(counts.total === 0 ? 0 : counts.hit / counts.total);
    },
  });
  return {
    lookups: {
      inc(labels: { result: 'hit' | 'miss' | 'error' | 'bypass' }) {
        counts.total++;
        if (labels.result === 'hit') counts.hit++;
        lookups.inc(labels);
      },
    },
    writeFailures: new Counter({
      name: 'ecom_users_profile_cache_write_failures_total',
      help: 'UpdateProfile calls whose cache write failed (repaired later)',
      registers: [registry],
    }),
    repairs: new Counter({
      name: 'ecom_users_profile_cache_repairs_total',
      help: 'Cache entries rewritten by the repair loop',
      registers: [registry],
    }),
  };
}
