import { decodeJwt } from 'jose';
import type { Clients } from './planner.js';
import type { Buyer } from './population.js';

/** A buyer's access token is renewed when it has less than this left. */
export const RENEW_BEFORE_MS = 60_000;

/**
 * Keeps the buyers' sessions alive through a long run. Seeded access tokens last 15 minutes (users'
 * `accessTokenTtlSeconds`), so a longer run would otherwise see every operation fail with
 * "token expired" once they run out. A token that expires within {@link RENEW_BEFORE_MS} is
 * renewed the way a real client renews its session: with its refresh token (RefreshToken rotates
 * it; no password hashing, no login rate limit), or by logging in again when the buyer has none
 * or it was refused. Once per buyer, however many operations want the token at that moment. The
 * renewal's time counts in the operation's latency, as it would for that client.
 */
export class BuyerSessions {
  private readonly renewing = new Map<Buyer, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A token of `buyer` valid for at least a minute more (after a renewal when needed). */
  token(
    buyer: Buyer,
    users: Pick<Clients['users'], 'login' | 'refreshToken'>,
    deadlineMs: number,
  ): Promise<string> {
    if (!expiresSoon(buyer.accessToken, this.now())) return Promise.resolve(buyer.accessToken);
    let renewal = this.renewing.get(buyer);
    if (!renewal) {
      renewal = renew(buyer, users, deadlineMs).finally(() => this.renewing.delete(buyer));
      this.renewing.set(buyer, renewal);
    }
    return renewal;
  }
}

async function renew(
  buyer: Buyer,
  users: Pick<Clients['users'], 'login' | 'refreshToken'>,
  deadlineMs: number,
): Promise<string> {
  let tokens;
  if (buyer.refreshToken) {
    tokens = (
      await users.refreshToken({ refreshToken: buyer.refreshToken }, { deadlineMs }).catch(() => undefined)
    )?.tokens;
  }
  tokens ??= (await users.login({ email: buyer.email, password: buyer.password }, { deadlineMs })).tokens;
  if (!tokens?.accessToken) throw new Error(`renewing the session of ${buyer.email} gave no access token`);
  buyer.accessToken = tokens.accessToken;
  buyer.refreshToken = tokens.refreshToken || undefined;
  return tokens.accessToken;
}

/** True when the token's exp claim is within the renewal margin; a token without one is left alone. */
function expiresSoon(token: string, now: number): boolean {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && exp * 1000 - now < RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}
