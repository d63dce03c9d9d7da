import { errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import type { AuthConfig } from '../config.js';
import { Unauthenticated } from '../errors.js';
import { ACCESS_TOKEN_TYP } from './signer.js';
import { loadTokenKeys } from './keys.js';

/** What a valid access token says. */
export interface VerifiedToken {
  userId: string;
  expiresAt: Date;
  /** The key that signed it. */
  kid: string;
}

/** Checks access tokens; every service has one (public keys only). */
export interface TokenVerifier {
  /** Resolves for a valid token; throws {@link Unauthenticated} otherwise (never echoing the token). */
  verify(token: string): Promise<VerifiedToken>;
}

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** Accepted clock skew between the signer and this process; default 5 s. */
  clockToleranceSeconds?: number;
  /** Clock (epoch ms); injected by tests. */
  now?: () => number;
}

/** Longest token accepted before any parsing: real ones are ~400 characters. */
export const MAX_TOKEN_LENGTH = 4096;
const MAX_SUBJECT_LENGTH = 64;

/**
 * Creates the access-token verifier: EdDSA only (so `alg: none` and HMAC tricks fail), the key
 * picked by the header's kid among the configured public keys, and iss, aud, exp and typ checked.
 */
export function createTokenVerifier(auth: AuthConfig, opts: TokenVerifierOptions = {}): TokenVerifier {
  const keys = loadTokenKeys(auth);
  const tolerance = opts.clockToleranceSeconds ?? 5;
  if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > 300) {
    throw new Error(`clockToleranceSeconds: must be an integer in 0..300, got ${tolerance}`);
  }
  const keyFor = (header: JWTHeaderParameters) => {
    const key = header.kid === undefined ? undefined : keys.publicKeys.get(header.kid);
    if (!key) throw new Unauthenticated('token signed by an unknown key');
    return key;
  };
  return {
    async verify(token) {
      if (token.length === 0) throw new Unauthenticated('empty token');
      if (token.length > MAX_TOKEN_LENGTH) throw new Unauthenticated('token too long');
      try {
        const { payload, protectedHeader } = await jwtVerify(token, keyFor, {
          algorithms: ['EdDSA', 'Ed25519'],
          issuer: keys.issuer,
          audience: keys.audience,
          typ: ACCESS_TOKEN_TYP,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: tolerance,
          ...(opts.now ? { currentDate: new Date(opts.now()) } : {}),
        });
        const sub = payload.sub!;
        if (sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) throw new Unauthenticated('invalid subject');
        return { userId: sub, expiresAt: new Date(payload.exp! * 1000), kid: protectedHeader.kid! };
      } catch (err) {
        if (err instanceof Unauthenticated) throw err;
        if (err instanceof errors.JWTExpired) throw new Unauthenticated('token expired');
        if (err instanceof errors.JOSEError) throw new Unauthenticated(`invalid token (${err.code})`);
        // Garbage must never become INTERNAL: whatever else failed, the token is not acceptable.
        throw new Unauthenticated('invalid token');
      }
    },
  };
}
