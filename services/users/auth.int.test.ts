import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { status as Status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenSigner } from '../../platform/auth/signer.js';
import type { TokenPair } from '../../proto/gen/ecom/users/v1/users.js';
import { startTestStack } from '../../test/harness.js';
import { seedUsers } from './seed.js';
import { bearer, codeOf, failure, stackAuth, usersClients, type UsersClient } from './testing.js';
import { normaliseDisplayName } from './validation.js';

const NO_OTHER_SERVICES = { inventory: 0, payments: 0, gateway: 0, orders: 0, analytics: 0 };
const PASSWORD = 'correct horse battery staple';

describe('users: accounts, tokens and login limits (two real instances)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let each: UsersClient[];
  let all: UsersClient;
  /** Every secret the service saw, to check none reached a log line. */
  const secrets = new Set<string>([PASSWORD]);
  let n = 0;
  const freshEmail = () => `t${Date.now()}-${n++}@Example.test`;

  async function registerAndLogin(client = all, email = freshEmail()): Promise<TokenPair> {
    await client.register({ email, password: PASSWORD, displayName: 'Tester' });
    const { tokens } = await client.login({ email, password: PASSWORD });
    secrets.add(tokens!.accessToken).add(tokens!.refreshToken);
    return tokens!;
  }

  beforeAll(async () => {
    stack = await startTestStack({
      replicas: { users: 2, ...NO_OTHER_SERVICES },
      serviceOverrides: {
        users: {
          logLevel: 'debug',
          users: {
            loginLimits: {
              perEmail: { points: 5, durationSeconds: 60, blockSeconds: 60, failMode: 'closed' },
              // An hour: every failure this file makes from one address falls in one window, even
              // on a machine slow enough that the file outlasts a minute.
              perAddress: { points: 40, durationSeconds: 3_600, failMode: 'closed' },
            },
          },
        },
      },
    });
    ({ each, all } = usersClients(stack.state));
  });
  afterAll(async () => {
    for (const c of [...(each ?? []), all]) c?.close();
    await stack?.stop();
  });

  it('registers (canonical email, version 1), refuses a duplicate email in another case, logs in on either instance', async () => {
    const email = freshEmail();
    const { profile } = await each[0]!.register({ email, password: PASSWORD, displayName: ' Zoë 👩‍💻 ' });
    expect(profile).toMatchObject({ email: email.toLowerCase(), displayName: 'Zoë 👩‍💻', version: 1 });
    const dup = await failure(
      each[1]!.register({ email: email.toUpperCase(), password: PASSWORD, displayName: 'X' }),
    );
    expect(dup.code).toBe(Status.ALREADY_EXISTS);
    for (const c of each) {
      const { tokens } = await c.login({ email: email.toUpperCase(), password: PASSWORD });
      expect(tokens!.userId).toBe(profile!.userId);
      expect(tokens!.accessExpiresAt!.getTime() - Date.now()).toBeGreaterThan(800_000);
      expect(tokens!.accessExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
      secrets.add(tokens!.accessToken).add(tokens!.refreshToken);
      const got = await c.getProfile({ userId: profile!.userId }, bearer(tokens!.accessToken));
      expect(got.profile?.displayName).toBe('Zoë 👩‍💻');
    }
  });

  it('answers a wrong password and an unknown email alike: UNAUTHENTICATED', async () => {
    const tokens = await registerAndLogin();
    const profile = await all.getProfile({ userId: tokens.userId }, bearer(tokens.accessToken));
    const wrong = await failure(all.login({ email: profile.profile!.email, password: 'not the password' }));
    const unknown = await failure(all.login({ email: freshEmail(), password: 'not the password' }));
    expect([wrong.code, unknown.code]).toEqual([Status.UNAUTHENTICATED, Status.UNAUTHENTICATED]);
    expect(wrong.details).toBe(unknown.details);
  });

  it('rejects missing, expired and forged tokens with UNAUTHENTICATED; another user’s profile is PERMISSION_DENIED', async () => {
    const alice = await registerAndLogin();
    const bob = await registerAndLogin();
    const auth = stackAuth(stack.dir);
    const get = (token: string | undefined, userId = alice.userId) =>
      codeOf(all.getProfile({ userId }, token === undefined ? {} : bearer(token)));

    expect(await get(alice.accessToken)).toBe(Status.OK);
    expect(await get(undefined)).toBe(Status.UNAUTHENTICATED);
    expect(await get(bob.accessToken)).toBe(Status.PERMISSION_DENIED);
    expect(
      await codeOf(
        all.updateProfile({ userId: alice.userId, displayName: 'pwned' }, bearer(bob.accessToken)),
      ),
    ).toBe(Status.PERMISSION_DENIED);

    const expired = await createTokenSigner(auth, { ttlSeconds: 60, now: () => Date.now() - 3_600_000 }).sign(
      alice.userId,
    );
    expect(await get(expired.token)).toBe(Status.UNAUTHENTICATED);

    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const rogue = {
      ...auth,
      keys: [
        {
          kid: auth.activeKid,
          publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      ],
    };
    expect(await get((await createTokenSigner(rogue, { ttlSeconds: 60 }).sign(alice.userId)).token)).toBe(
      Status.UNAUTHENTICATED,
    );

    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const claims = {
      sub: alice.userId,
      iss: auth.issuer,
      aud: auth.audience,
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    expect(await get(`${enc({ alg: 'none', typ: 'at+jwt', kid: auth.activeKid })}.${enc(claims)}.`)).toBe(
      Status.UNAUTHENTICATED,
    );

    // Bob's genuine signature over a payload changed to say "alice".
    const [h, p, s] = bob.accessToken.split('.') as [string, string, string];
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as object;
    expect(await get(`${h}.${enc({ ...payload, sub: alice.userId })}.${s}`)).toBe(Status.UNAUTHENTICATED);
    expect(await get('garbage')).toBe(Status.UNAUTHENTICATED);
  });

  it('rotates refresh tokens: the new pair works, the old token stops working, and replaying it revokes the family', async () => {
    const first = await registerAndLogin();
    const { tokens: second } = await each[0]!.refreshToken({ refreshToken: first.refreshToken });
    secrets.add(second!.accessToken).add(second!.refreshToken);
    expect(second!.userId).toBe(first.userId);
    expect(second!.refreshToken).not.toBe(first.refreshToken);
    expect(await codeOf(all.getProfile({ userId: first.userId }, bearer(second!.accessToken)))).toBe(
      Status.OK,
    );

    const replay = await failure(each[1]!.refreshToken({ refreshToken: first.refreshToken }));
    expect(replay.code).toBe(Status.UNAUTHENTICATED);
    // The replay revoked the family: the successor is dead too (stolen-token containment).
    expect(await codeOf(all.refreshToken({ refreshToken: second!.refreshToken }))).toBe(
      Status.UNAUTHENTICATED,
    );

    expect(await codeOf(all.refreshToken({ refreshToken: `rt_${'A'.repeat(43)}` }))).toBe(
      Status.UNAUTHENTICATED,
    );
    expect(await codeOf(all.refreshToken({ refreshToken: 'garbled' }))).toBe(Status.UNAUTHENTICATED);
    expect(await codeOf(all.refreshToken({ refreshToken: '' }))).toBe(Status.INVALID_ARGUMENT);
  });

  it('limits brute force per email across both instances: exactly 5 guesses reach the password check', async () => {
    const victim = freshEmail();
    await all.register({ email: victim, password: PASSWORD, displayName: 'Victim' });
    const guesses = Array.from({ length: 12 }, (_, i) =>
      failure(each[i % 2]!.login({ email: victim, password: `guess-${i}-xxxx` })),
    );
    const errors = await Promise.all(guesses);
    const codes = errors.map((e) => e.code);
    expect(codes.filter((c) => c === Status.UNAUTHENTICATED)).toHaveLength(5);
    expect(codes.filter((c) => c === Status.RESOURCE_EXHAUSTED)).toHaveLength(7);
    const limited = errors.find((e) => e.code === Status.RESOURCE_EXHAUSTED)!;
    const retryAfter = Number(limited.metadata.get('retry-after-ms')[0]);
    expect(retryAfter).toBeGreaterThan(50_000);
    expect(retryAfter).toBeLessThanOrEqual(60_000);
    // Blocked means blocked, even with the right password; other emails are unaffected.
    expect(await codeOf(each[1]!.login({ email: victim, password: PASSWORD }))).toBe(
      Status.RESOURCE_EXHAUSTED,
    );
    await registerAndLogin();
  });

  it('answers malformed input with INVALID_ARGUMENT naming the field, never INTERNAL (fast-check)', async () => {
    const me = await registerAndLogin();
    const control = fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c));
    const junkEmail = fc.oneof(
      fc.constant(''),
      fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('@')),
      fc.integer({ min: 250, max: 5000 }).map((k) => `${'a'.repeat(k)}@x.io`),
      fc.tuple(fc.string({ maxLength: 10 }), control).map(([s, c]) => `a${c}${s}@x.io`),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map((s) => `ü${s}@bücher.de`),
    );
    const junkPassword = fc.oneof(
      fc.constant(''),
      fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 7 })
        .filter((s) => [...s.normalize('NFC')].length < 8),
      fc.integer({ min: 129, max: 5000 }).map((k) => 'p'.repeat(k)),
    );
    const junkName = fc.oneof(
      fc.constant(''),
      fc.constantFrom('   ', '\u200B', '\u0301', 'evil\u202Eexe', 'line\u2028break'),
      // The control character sits inside the name: trim() would rightly remove one at either end.
      fc.tuple(fc.string({ maxLength: 20 }), control).map(([s, c]) => `n${c}x${s}`),
      fc.integer({ min: 101, max: 5000 }).map((k) => 'x'.repeat(k)),
    );
    const maybe = <T>(junk: fc.Arbitrary<T>, good: T) =>
      fc.option(junk, { nil: undefined }).map((j) => j ?? good);
    const register = fc
      .tuple(maybe(junkEmail, 'ok@x.io'), maybe(junkPassword, PASSWORD), maybe(junkName, 'Fine'))
      .filter(([e, p, d]) => e !== 'ok@x.io' || p !== PASSWORD || d !== 'Fine');
    await fc.assert(
      fc.asyncProperty(register, async ([email, password, displayName]) => {
        const err = await failure(all.register({ email, password, displayName }));
        expect(err.code).toBe(Status.INVALID_ARGUMENT);
        const expected = email !== 'ok@x.io' ? 'email' : password !== PASSWORD ? 'password' : 'display_name';
        expect(err.metadata.get('field')).toEqual([expected]);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          junkEmail.map((e) => [e, PASSWORD]),
          junkPassword.map((p) => ['ok@x.io', p]),
        ),
        async ([email, password]) => {
          expect(await codeOf(all.login({ email: email!, password: password! }))).toBe(
            Status.INVALID_ARGUMENT,
          );
        },
      ),
      { numRuns: 30 },
    );
    const junkId = fc.oneof(
      fc.constant(''),
      fc.string({ minLength: 65, maxLength: 3000 }),
      fc.string({ minLength: 1 }).map((s) => `${s}/..`),
    );
    await fc.assert(
      fc.asyncProperty(junkId, async (userId) => {
        expect(await codeOf(all.getProfile({ userId }, bearer(me.accessToken)))).toBe(
          Status.INVALID_ARGUMENT,
        );
      }),
      { numRuns: 20 },
    );
    await fc.assert(
      fc.asyncProperty(junkName, async (displayName) => {
        const err = await failure(
          all.updateProfile({ userId: me.userId, displayName }, bearer(me.accessToken)),
        );
        expect([err.code, err.metadata.get('field')]).toEqual([Status.INVALID_ARGUMENT, ['display_name']]);
      }),
      { numRuns: 20 },
    );
    // Odd but acceptable unicode is stored and returned exactly as normalised (utf8mb4 round trip).
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), async (raw) => {
        let expected: string | undefined;
        try {
          expected = normaliseDisplayName(raw);
        } catch {
          expected = undefined;
        }
        const res = await all
          .updateProfile({ userId: me.userId, displayName: raw }, bearer(me.accessToken))
          .then(
            (r) => r.profile!.displayName,
            (e: { code: Status }) => e.code,
          );
        expect(res).toBe(expected ?? Status.INVALID_ARGUMENT);
      }),
      { numRuns: 30 },
    );
  });

  it('seeds users idempotently: a second run logs the same users in', async () => {
    const progress: number[] = [];
    const first = await seedUsers(all, { count: 3, concurrency: 2 }, (done) => progress.push(done));
    expect(first.map((u) => u.email)).toEqual([
      'user-000001@ecom.test',
      'user-000002@ecom.test',
      'user-000003@ecom.test',
    ]);
    expect(progress).toEqual([1, 2, 3]);
    const again = await seedUsers(all, { count: 3 });
    expect(again.map((u) => u.userId)).toEqual(first.map((u) => u.userId));
    expect(again[0]!.refreshToken).not.toBe(first[0]!.refreshToken);
    for (const u of [...first, ...again]) secrets.add(u.accessToken).add(u.refreshToken);
    const { profile } = await all.getProfile({ userId: again[2]!.userId }, bearer(again[2]!.accessToken));
    expect(profile!.email).toBe('user-000003@ecom.test');
  });

  it('limits failed logins per client address across instances (runs last: it locks out this address)', async () => {
    const codes: Status[] = [];
    for (let i = 0; i < 45; i++)
      codes.push(await codeOf(each[i % 2]!.login({ email: freshEmail(), password: 'wrong-password' })));
    const firstLimited = codes.indexOf(Status.RESOURCE_EXHAUSTED);
    expect(firstLimited).toBeGreaterThan(0);
    expect(firstLimited).toBeLessThanOrEqual(40);
    expect(codes.slice(0, firstLimited).every((c) => c === Status.UNAUTHENTICATED)).toBe(true);
    expect(codes.slice(firstLimited).every((c) => c === Status.RESOURCE_EXHAUSTED)).toBe(true);
  });

  it('never writes a password or token into a log line', () => {
    const logs = [1, 2]
      .map((i) => readFileSync(join(stack.dir, 'logs', `users-${i}.log`), 'utf8'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(1000); // debug logging was on: every call left a line
    for (const secret of secrets) expect(logs.includes(secret), 'a secret reached the logs').toBe(false);
    expect(logs).not.toMatch(/\$scrypt\$/);
  });
});
