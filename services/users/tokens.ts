import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TokenSigner } from '../../platform/auth/signer.js';
import { Unauthenticated } from '../../platform/errors.js';
import type { TokenPair } from '../../proto/gen/ecom/users/v1/users.js';
import type { RefreshStore } from './refresh-store.js';

/** A fresh opaque refresh token ("rt_" + 32 random bytes, base64url) and the hash we store. */
export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

/** SHA-256 suffices: the token has 256 bits of entropy, so there is nothing to brute-force. */
export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Issues token pairs and rotates refresh tokens. */
export interface TokenIssuer {
  /** A new pair: a signed access token and a refresh token starting a new family. */
  issue(userId: string): Promise<TokenPair>;
  /** Uses a refresh token once and returns a new pair; unknown, expired or reused is UNAUTHENTICATED. */
  refresh(refreshToken: string): Promise<TokenPair>;
}

/** Creates the issuer over the signer (access tokens) and the refresh-token table. */
export function createTokenIssuer(deps: {
  signer: TokenSigner;
  store: RefreshStore;
  refreshTtlSeconds: number;
  now?: () => number;
}): TokenIssuer {
  const now = deps.now ?? Date.now;
  const pair = async (userId: string, refresh: string, refreshExpiresAt: Date): Promise<TokenPair> => {
    const access = await deps.signer.sign(userId);
    return {
      userId,
      accessToken: access.token,
      refreshToken: refresh,
      accessExpiresAt: access.expiresAt,
      refreshExpiresAt,
    };
  };
  return {
    async issue(userId) {
      const t = now();
      const { token, hash } = newRefreshToken();
      const expiresAt = new Date(t + deps.refreshTtlSeconds * 1000);
      await deps.store.insert({ hash, userId, familyId: randomUUID(), expiresAt, now: new Date(t) });
      return pair(userId, token, expiresAt);
    },
    async refresh(refreshToken) {
      const t = now();
      const next = newRefreshToken();
      const expiresAt = new Date(t + deps.refreshTtlSeconds * 1000);
      const result = await deps.store.rotate(
        hashRefreshToken(refreshToken),
        { hash: next.hash, expiresAt },
        new Date(t),
      );
      switch (result.kind) {
        case 'ok':
          return pair(result.userId, next.token, expiresAt);
        case 'expired':
          throw new Unauthenticated('refresh token expired');
        case 'reused':
          throw new Unauthenticated('refresh token already used: its session was revoked');
        default:
          throw new Unauthenticated('invalid refresh token');
      }
    },
  };
}
