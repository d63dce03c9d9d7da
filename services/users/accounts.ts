import { randomUUID } from 'node:crypto';
import { Unauthenticated } from '../../platform/errors.js';
import type { RateLimiter } from '../../platform/ratelimit.js';
import type { TokenPair } from '../../proto/gen/ecom/users/v1/users.js';
import type { PasswordHasher } from './password.js';
import type { UserRow, UsersStore } from './store.js';
import type { TokenIssuer } from './tokens.js';

/** Registration and login; inputs arrive validated and normalised. */
export interface Accounts {
  register(email: string, password: string, displayName: string, now: Date): Promise<UserRow>;
  /**
   * Checks the password and issues tokens. Rate limited per client address and per email across
   * instances; each attempt takes a point up front (so concurrent guesses cannot slip past the
   * limit) and a successful one gives it back, so the limits count failed attempts.
   */
  login(email: string, password: string, clientAddress: string): Promise<TokenPair>;
}

/** Creates the account logic over the store, the hasher, the token issuer and the login limiters. */
export function createAccounts(deps: {
  store: UsersStore;
  hasher: PasswordHasher;
  tokens: TokenIssuer;
  limits: { perEmail: RateLimiter; perAddress: RateLimiter };
}): Accounts {
  const { store, hasher, tokens, limits } = deps;
  return {
    async register(email, password, displayName, now) {
      const passwordHash = await hasher.hash(password);
      return store.insertUser({ id: randomUUID(), email, displayName, passwordHash, now });
    },

    async login(email, password, clientAddress) {
      await limits.perAddress.consume(clientAddress);
      await limits.perEmail.consume(email);
      const creds = await store.credentialsByEmail(email);
      // An unknown email costs one hash too, so response time does not tell which emails exist.
      const ok = creds ? await hasher.verify(password, creds.passwordHash) : await hasher.burn(password);
      if (!creds || !ok) throw new Unauthenticated('invalid email or password');
      await Promise.all([limits.perAddress.refund(clientAddress), limits.perEmail.refund(email)]);
      return tokens.issue(creds.id);
    },
  };
}
