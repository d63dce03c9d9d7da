import type { Redis } from '../../platform/redis.js';
import type { UserRow } from './store.js';

/**
 * Sets the entry only if it is newer than both the cached entry and the version floor, so a reader
 * that read an old row can never replace a newer profile, whatever the interleaving. The floor key
 * remembers the newest version written even after the entry itself is evicted or deleted, which
 * closes the "reader misses, reads the old row, writer updates, entry vanishes, reader fills" race.
 * The value is "<version>:<json>" so the script compares versions without decoding JSON.
 * KEYS: entry, floor. ARGV: version, json, ttl ms.
 */
const PUT_IF_NEWER = `
local ver = tonumber(ARGV[1])
local floor = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if floor > ver then return 0 end
local cur = redis.call('GET', KEYS[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+):'))
  if v and v >= ver then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
return 1
`;

interface WithPutCommand {
  ecomUsersPutProfile(
    key: string,
    floorKey: string,
    version: string,
    payload: string,
    ttlMs: string,
  ): Promise<number>;
}

/** Profiles in Redis, versioned. Every method throws when Redis does not answer. */
export interface ProfileCache {
  get(userId: string): Promise<UserRow | undefined>;
  /** Stores `row` unless the cache already has this version or a newer one; true if stored. */
  put(row: UserRow): Promise<boolean>;
}

/** The Redis key of a user's cached profile (hash-tagged with the floor key). */
export const profileKey = (userId: string) => `users:profile:{${userId}}`;
/** The newest version ever cached for the user (outlives an evicted entry). */
export const floorKey = (userId: string) => `users:profile-floor:{${userId}}`;

/** Creates the versioned profile cache on `redis` (registers its Lua script on the client). */
export function createProfileCache(redis: Redis, opts: { ttlSeconds: number }): ProfileCache {
  if (!('ecomUsersPutProfile' in redis)) {
    redis.defineCommand('ecomUsersPutProfile', { numberOfKeys: 2, lua: PUT_IF_NEWER });
  }
  const client = redis as unknown as Redis & WithPutCommand;
  const ttlMs = String(opts.ttlSeconds * 1000);
  return {
    async get(userId) {
      const raw = await client.get(profileKey(userId));
      return raw === null ? undefined : decode(raw, userId);
    },
    async put(row) {
      const stored = await client.ecomUsersPutProfile(
        profileKey(row.id),
        floorKey(row.id),
        String(row.version),
        encode(row),
        ttlMs,
      );
      return stored === 1;
    },
  };
}

function encode(row: UserRow): string {
  return JSON.stringify({
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  });
}

/** Undefined for an entry that does not decode (treated as a miss, then overwritten by a fill). */
export function decode(raw: string, userId: string): UserRow | undefined {
  const sep = raw.indexOf(':');
  const version = Number(raw.slice(0, sep));
  if (sep < 1 || !Number.isSafeInteger(version)) return undefined;
  try {
    const o = JSON.parse(raw.slice(sep + 1)) as Record<string, unknown>;
    if (o.id !== userId || typeof o.email !== 'string' || typeof o.displayName !== 'string') return undefined;
    if (typeof o.createdAt !== 'number' || typeof o.updatedAt !== 'number') return undefined;
    return {
      id: userId,
      email: o.email,
      displayName: o.displayName,
      version,
      createdAt: new Date(o.createdAt),
      updatedAt: new Date(o.updatedAt),
    };
  } catch {
    return undefined;
  }
}
