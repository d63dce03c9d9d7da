import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../config.js';
import { Unauthenticated } from '../errors.js';
import { loadTokenKeys } from './keys.js';
import { createTokenSigner } from './signer.js';
import { createTokenVerifier } from './verifier.js';

function key(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    kid,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

const k1 = key('k1');
const k2 = key('k2');
const auth: AuthConfig = { issuer: 'ecom-users', audience: 'ecom', activeKid: 'k1', keys: [k1, k2] };
const publicOnly: AuthConfig = {
  ...auth,
  keys: auth.keys.map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem })),
};

async function rejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Unauthenticated);
  return (err as Error).message;
}

describe('access tokens (EdDSA, kid-selected keys)', () => {
  const verifier = createTokenVerifier(publicOnly);

  it('signs with the active key and verifies with public keys only', async () => {
    const signed = await createTokenSigner(auth, { ttlSeconds: 900 }).sign('user-1');
    const v = await verifier.verify(signed.token);
    expect(v).toEqual({ userId: 'user-1', expiresAt: signed.expiresAt, kid: 'k1' });
    expect(signed.expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
  });

  it('accepts tokens of every configured key (rotation) and rejects an unknown kid', async () => {
    const byK2 = await createTokenSigner({ ...auth, activeKid: 'k2' }, { ttlSeconds: 60 }).sign('u');
    expect((await verifier.verify(byK2.token)).kid).toBe('k2');
    const onlyK1 = createTokenVerifier({ ...publicOnly, keys: [publicOnly.keys[0]!] });
    expect(await rejection(onlyK1.verify(byK2.token))).toMatch(/unknown key/);
  });

  it('rejects an expired token, and accepts it within the clock tolerance', async () => {
    const past = Date.now() - 3_600_000;
    const old = await createTokenSigner(auth, { ttlSeconds: 60, now: () => past }).sign('u');
    expect(await rejection(verifier.verify(old.token))).toMatch(/expired/);
    const justExpired = await createTokenSigner(auth, {
      ttlSeconds: 60,
      now: () => Date.now() - 62_000,
    }).sign('u');
    await expect(verifier.verify(justExpired.token)).resolves.toMatchObject({ userId: 'u' });
  });

  it('rejects a token forged with another Ed25519 key under a known kid', async () => {
    const rogue = key('k1');
    const forged = await createTokenSigner({ ...auth, keys: [rogue] }, { ttlSeconds: 60 }).sign('victim');
    expect(await rejection(verifier.verify(forged.token))).toMatch(/SIGNATURE_VERIFICATION_FAILED/);
  });

  it('rejects alg "none" and HMAC signed with the public key (algorithm confusion)', async () => {
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const claims = {
      sub: 'victim',
      iss: 'ecom-users',
      aud: 'ecom',
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const none = `${enc({ alg: 'none', kid: 'k1', typ: 'at+jwt' })}.${enc(claims)}.`;
    await rejection(verifier.verify(none));
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(k1.publicKeyPem));
    expect(await rejection(verifier.verify(hmac))).toMatch(/ALG_NOT_ALLOWED/);
  });

  it('rejects a tampered payload (another subject under the original signature)', async () => {
    const { token } = await createTokenSigner(auth, { ttlSeconds: 60 }).sign('alice');
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
    const evil = base64url.encode(JSON.stringify({ ...claims, sub: 'bob' }));
    expect(await rejection(verifier.verify(`${h}.${evil}.${s}`))).toMatch(/SIGNATURE_VERIFICATION_FAILED/);
  });

  it('rejects wrong audience, issuer or typ', async () => {
    const otherAud = await createTokenSigner({ ...auth, audience: 'elsewhere' }, { ttlSeconds: 60 }).sign(
      'u',
    );
    await rejection(verifier.verify(otherAud.token));
    const otherIss = await createTokenSigner({ ...auth, issuer: 'evil' }, { ttlSeconds: 60 }).sign('u');
    await rejection(verifier.verify(otherIss.token));
    const keyObj = loadTokenKeys(auth).signing!.key;
    const idToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'JWT' })
      .setSubject('u')
      .setIssuer('ecom-users')
      .setAudience('ecom')
      .setExpirationTime('10m')
      .sign(keyObj);
    expect(await rejection(verifier.verify(idToken))).toMatch(/CLAIM_VALIDATION_FAILED/);
  });

  it('turns any garbage into UNAUTHENTICATED, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 5000 }),
          fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join('.')),
          fc.string({ unit: 'binary', maxLength: 300 }),
        ),
        async (garbage) => {
          await rejection(verifier.verify(garbage));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('loadTokenKeys', () => {
  it('names the field of a bad key', () => {
    expect(() =>
      loadTokenKeys({ ...auth, keys: [{ kid: 'x', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nxx' }] }),
    ).toThrow(/auth\.keys\[0\]\.publicKeyPem/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(() =>
      loadTokenKeys({ ...auth, activeKid: 'r', keys: [{ kid: 'r', publicKeyPem: rsa.toString() }] }),
    ).toThrow(/Ed25519/);
    expect(() => loadTokenKeys({ ...auth, keys: [{ ...k1, privateKeyPem: k2.privateKeyPem }] })).toThrow(
      /does not match/,
    );
    expect(() => loadTokenKeys({ ...auth, keys: [k1, k1] })).toThrow(/duplicate kid/);
    expect(() => loadTokenKeys({ ...auth, activeKid: 'nope' })).toThrow(/auth\.activeKid/);
  });

  it('refuses to build a signer without the private key', () => {
    expect(() => createTokenSigner(publicOnly, { ttlSeconds: 60 })).toThrow(/no private key/);
    expect(() => createTokenSigner(auth, { ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });
});
