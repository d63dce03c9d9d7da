import { UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Buyer } from './population.js';
import { BuyerSessions } from './sessions.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const tokenExpiringIn = (ms: number, tag: string) =>
  new UnsecuredJWT({ tag }).setExpirationTime(Math.floor((NOW + ms) / 1000)).encode();

/** A users client that counts calls; RefreshToken refuses unless `refreshWorks`. */
function fakeUsers(o: { access: string; refreshWorks: boolean }) {
  const calls: string[] = [];
  const tokens = (rt: string) => ({
    tokens: { accessToken: o.access, refreshToken: rt, userId: 'u1', expiresInSeconds: 900 },
  });
  const users = {
    login: async (req: { email: string; password: string }) => {
      calls.push(`login ${req.email}:${req.password}`);
      await new Promise((r) => setTimeout(r, 5));
      return tokens('rt-from-login');
    },
    refreshToken: async (req: { refreshToken: string }) => {
      calls.push(`refresh ${req.refreshToken}`);
      await new Promise((r) => setTimeout(r, 5));
      if (!o.refreshWorks) throw new Error('UNAUTHENTICATED: refresh token reused');
      return tokens('rt-2');
    },
  };
  return { calls, users: users as never };
}

const buyer = (accessToken: string, refreshToken?: string): Buyer => ({
  userId: 'u1',
  email: 'b1@example.com',
  password: 'pw',
  accessToken,
  ...(refreshToken ? { refreshToken } : {}),
});

describe('buyer sessions', () => {
  const sessions = new BuyerSessions(() => NOW);

  it('keeps a token with minutes left', async () => {
    const b = buyer(tokenExpiringIn(10 * 60_000, 'old'), 'rt-1');
    const { users, calls } = fakeUsers({ access: 'new', refreshWorks: true });
    expect(await sessions.token(b, users, 1_000)).toBe(b.accessToken);
    expect(calls).toEqual([]);
  });

  it('renews with the refresh token, once for concurrent callers, when a minute or less is left', async () => {
    const b = buyer(tokenExpiringIn(30_000, 'old'), 'rt-1');
    const fresh = tokenExpiringIn(15 * 60_000, 'new');
    const { users, calls } = fakeUsers({ access: fresh, refreshWorks: true });
    const got = await Promise.all([1, 2, 3].map(() => sessions.token(b, users, 1_000)));
    expect(got).toEqual([fresh, fresh, fresh]);
    expect(calls).toEqual(['refresh rt-1']);
    expect(b).toMatchObject({ accessToken: fresh, refreshToken: 'rt-2' });
    // The renewed token has minutes left: nothing more.
    expect(await sessions.token(b, users, 1_000)).toBe(fresh);
    expect(calls).toHaveLength(1);
  });

  it('logs in again when the refresh token is refused, or when there is none', async () => {
    const fresh = tokenExpiringIn(15 * 60_000, 'new');
    const refused = buyer(tokenExpiringIn(-5_000, 'old'), 'rt-stale');
    const a = fakeUsers({ access: fresh, refreshWorks: false });
    expect(await sessions.token(refused, a.users, 1_000)).toBe(fresh);
    expect(a.calls).toEqual(['refresh rt-stale', 'login b1@example.com:pw']);
    expect(refused.refreshToken).toBe('rt-from-login');

    const without = buyer(tokenExpiringIn(10_000, 'old'));
    const b = fakeUsers({ access: fresh, refreshWorks: true });
    expect(await sessions.token(without, b.users, 1_000)).toBe(fresh);
    expect(b.calls).toEqual(['login b1@example.com:pw']);
  });

  it('leaves a token it cannot read alone', async () => {
    const { users, calls } = fakeUsers({ access: 'new', refreshWorks: true });
    expect(await sessions.token(buyer('not-a-jwt', 'rt-1'), users, 1_000)).toBe('not-a-jwt');
    expect(calls).toEqual([]);
  });
});
