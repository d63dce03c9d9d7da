import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AuthConfig } from '../config.js';
import { loadTokenKeys } from './keys.js';

/** The JWT "typ" of access tokens (RFC 9068), checked by the verifier so no other JWT passes. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** A signed access token and when it stops being accepted. */
export interface SignedToken {
  token: string;
  expiresAt: Date;
}

/** Mints access tokens; only a process holding the active private key can have one. */
export interface TokenSigner {
  sign(userId: string): Promise<SignedToken>;
}

/** Options of {@link createTokenSigner}. */
export interface TokenSignerOptions {
  /** Lifetime of an access token, 1 s .. 1 day. */
  ttlSeconds: number;
  /** Clock (epoch ms); injected by tests to mint tokens in the past. */
  now?: () => number;
}

/**
 * Creates the signer of access tokens: EdDSA (Ed25519) with the key named by `auth.activeKid`, the
 * kid in the header so verifiers pick the key and keys can rotate, and the claims sub (user id),
 * iss, aud, iat, exp and jti.
 */
export function createTokenSigner(auth: AuthConfig, opts: TokenSignerOptions): TokenSigner {
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds < 1 || opts.ttlSeconds > 86_400) {
    throw new Error(`ttlSeconds: must be an integer in 1..86400, got ${opts.ttlSeconds}`);
  }
  const keys = loadTokenKeys(auth);
  const signing = keys.signing;
  if (!signing) throw new Error(`auth.keys: no private key for the active kid ${auth.activeKid}`);
  const now = opts.now ?? Date.now;
  return {
    async sign(userId) {
      if (userId.length === 0) throw new Error('sign: empty user id');
      const iat = Math.floor(now() / 1000);
      const exp = iat + opts.ttlSeconds;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: ACCESS_TOKEN_TYP })
        .setSubject(userId)
        .setIssuer(keys.issuer)
        .setAudience(keys.audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(signing.key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
  };
}
