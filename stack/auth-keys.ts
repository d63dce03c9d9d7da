import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AuthConfig } from '../platform/config.js';

/** A fresh Ed25519 token key for a stack (each `ecom up` gets its own; tokens die with the stack). */
export function generateAuthKeys(): AuthConfig {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = `k-${randomBytes(4).toString('hex')}`;
  return {
    issuer: 'ecom-users',
    audience: 'ecom',
    activeKid: kid,
    keys: [
      {
        kid,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    ],
  };
}
