import { UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Buyer } from './population.js';
import { BuyerSessions } from './sessions.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const tokenExpiringIn = (ms: number, tag: string) =>
  new UnsecuredJWT({ tag }).setExpirationTime(Math.floor((NOW + ms) / 1000)).encode();

function fakeUsers(newToken: string) {
  const logins: string[] = [];
  return {
    logins,
    users: {
      login: async (req: { email: string; password: string }) => {
        logins.push(`${req.email}:${req.password}`);
        await new Promise((r) => setTimeout(r, 5));
        return { tokens: { accessToken: newToken, refreshToken: '', userId: 'u1', expiresInSeconds: 900 } };
      },
    },
  };
}

const buyer = (accessToken: string): Buyer => ({
  userId: 'u1',
  email: 'b1@example.com',
  password: 'pw',
  accessToken,
});

describe('buyer sessions', () => {
  it('keeps a token with minutes left', async () => {
    const b = buyer(tokenExpiringIn(10 * 60_000, 'old'));
    const { users, logins } = fakeUsers('new');
    const sessions = new BuyerSessions(() => NOW);
    expect(await sessions.token(b, users as never, 1_000)).toBe(b.accessToken);
    expect(logins).toEqual([]);
  });

  it('logs in again, once for concurrent callers, when the token expires within a minute', async () => {
    const b = buyer(tokenExpiringIn(30_000, 'old'));
    const fresh = tokenExpiringIn(15 * 60_000, 'new');
    const { users, logins } = fakeUsers(fresh);
    const sessions = new BuyerSessions(() => NOW);
    const got = await Promise.all([1, 2, 3].map(() => sessions.token(b, users as never, 1_000)));
    expect(got).toEqual([fresh, fresh, fresh]);
    expect(logins).toEqual(['b1@example.com:pw']);
    expect(b.accessToken).toBe(fresh);
    // The renewed token has minutes left: no further login.
    expect(await sessions.token(b, users as never, 1_000)).toBe(fresh);
    expect(logins).toHaveLength(1);
  });

  it('renews an already expired token too, and leaves a token without exp alone', async () => {
    const expired = buyer(tokenExpiringIn(-5_000, 'old'));
    const { users, logins } = fakeUsers(tokenExpiringIn(900_000, 'new'));
    const sessions = new BuyerSessions(() => NOW);
    await sessions.token(expired, users as never, 1_000);
    expect(logins).toHaveLength(1);
    const opaque = buyer('not-a-jwt');
    expect(await sessions.token(opaque, users as never, 1_000)).toBe('not-a-jwt');
    expect(logins).toHaveLength(1);
  });
});
