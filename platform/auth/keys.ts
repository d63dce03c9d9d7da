import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { AuthConfig } from '../config.js';

/** The token keys of one process, parsed and checked once at start. */
export interface TokenKeys {
  issuer: string;
  audience: string;
  /** Public keys by kid: every key a token may name (old ones stay until their tokens expire). */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** The key new tokens are signed with; only in the users service (the others cannot mint). */
  signing?: { kid: string; key: KeyObject };
}

/**
 * Parses the Ed25519 keys of {@link AuthConfig}. Throws an error naming the field when a key is not
 * an Ed25519 key in the expected PEM form, when two keys share a kid, when a private key does not
 * belong to its public key, or when `activeKid` names no key.
 */
export function loadTokenKeys(auth: AuthConfig): TokenKeys {
  const publicKeys = new Map<string, KeyObject>();
  let signing: TokenKeys['signing'];
  auth.keys.forEach((k, i) => {
    const field = `auth.keys[${i}]`;
    if (publicKeys.has(k.kid)) throw new Error(`${field}.kid: duplicate kid ${JSON.stringify(k.kid)}`);
    const pub = parse(() => createPublicKey(k.publicKeyPem), `${field}.publicKeyPem`);
    publicKeys.set(k.kid, pub);
    if (k.privateKeyPem === undefined) return;
    const priv = parse(() => createPrivateKey(k.privateKeyPem!), `${field}.privateKeyPem`);
    if (!createPublicKey(priv).equals(pub)) {
      throw new Error(`${field}.privateKeyPem: does not match publicKeyPem`);
    }
    if (k.kid === auth.activeKid) signing = { kid: k.kid, key: priv };
  });
  if (!publicKeys.has(auth.activeKid)) {
    throw new Error(`auth.activeKid: no key with kid ${JSON.stringify(auth.activeKid)}`);
  }
  return { issuer: auth.issuer, audience: auth.audience, publicKeys, ...(signing ? { signing } : {}) };
}

function parse(make: () => KeyObject, field: string): KeyObject {
  let key: KeyObject;
  try {
    key = make();
  } catch (err) {
    throw new Error(`${field}: not a readable PEM key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${field}: must be an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}
