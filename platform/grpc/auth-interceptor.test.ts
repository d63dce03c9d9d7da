import { generateKeyPairSync } from 'node:crypto';
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersServiceService } from '../../proto/gen/ecom/users/v1/users.js';
import { createTokenSigner } from '../auth/signer.js';
import { createTokenVerifier } from '../auth/verifier.js';
import type { AuthConfig } from '../config.js';
import { PermissionDenied, Unauthenticated } from '../errors.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { authInterceptor, bearerToken } from './auth-interceptor.js';
import { createClient } from './client.js';
import type { CallContext } from './context.js';
import { serviceBinding, startGrpcServer, type StartedGrpcServer } from './server.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const auth: AuthConfig = {
  issuer: 'ecom-users',
  audience: 'ecom',
  activeKid: 'k1',
  keys: [
    {
      kid: 'k1',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  ],
};
const signer = createTokenSigner(auth, { ttlSeconds: 60 });
const logger = createLogger({ component: 'test', level: 'silent' });
const LOGIN = UsersServiceService.login.path;
const GET = UsersServiceService.getProfile.path;
const interceptor = authInterceptor({ verifier: createTokenVerifier(auth), publicMethods: [LOGIN] });

function ctxFor(method: string, authorization?: string | string[]): CallContext {
  const metadata = new Metadata();
  for (const v of [authorization ?? []].flat()) metadata.add('authorization', v);
  return {
    method,
    metadata,
    deadline: Date.now() + 1000,
    signal: new AbortController().signal,
    logger,
    peer: '127.0.0.1:1',
    remainingMs: () => 1000,
  };
}

describe('authInterceptor', () => {
  it('sets ctx.user from a valid Bearer token and continues', async () => {
    const { token } = await signer.sign('alice');
    const ctx = ctxFor(GET, `Bearer ${token}`);
    await expect(interceptor(ctx, async () => ctx.user)).resolves.toEqual({ id: 'alice' });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic YWxpY2U6cHc='],
    ['no token', 'Bearer '],
    ['garbage', 'Bearer not.a.jwt'],
  ])('refuses %s with Unauthenticated and never calls the handler', async (_what, header) => {
    let called = false;
    const ctx = ctxFor(GET, header);
    await expect(
      interceptor(ctx, async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(Unauthenticated);
    expect(called).toBe(false);
    expect(ctx.user).toBeUndefined();
  });

  it('refuses an expired token and two authorization headers', async () => {
    const old = await createTokenSigner(auth, { ttlSeconds: 60, now: () => Date.now() - 600_000 }).sign('a');
    await expect(interceptor(ctxFor(GET, `Bearer ${old.token}`), async () => 1)).rejects.toThrow(/expired/);
    const { token } = await signer.sign('a');
    await expect(
      interceptor(ctxFor(GET, [`Bearer ${token}`, `Bearer ${token}`]), async () => 1),
    ).rejects.toThrow(/more than one/);
  });

  it('lets public methods through without a token', async () => {
    const ctx = ctxFor(LOGIN);
    await expect(interceptor(ctx, async () => 'ok')).resolves.toBe('ok');
    expect(ctx.user).toBeUndefined();
  });

  it('validates publicMethods up front', () => {
    expect(() => authInterceptor({ verifier: createTokenVerifier(auth), publicMethods: ['Login'] })).toThrow(
      /publicMethods/,
    );
  });

  it('reads the scheme case-insensitively', async () => {
    const { token } = await signer.sign('a');
    expect(bearerToken(ctxFor(GET, `bearer ${token}`).metadata)).toBe(token);
  });
});

describe('authInterceptor on a real gRPC server', () => {
  let server: StartedGrpcServer;
  let client: ReturnType<typeof createClient<typeof UsersServiceService>>;
  beforeAll(async () => {
    const notUsed = async () => {
      throw new Error('not used');
    };
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      metrics: createMetrics({ service: 'test', instance: 'test-1' }),
      defaultDeadlineMs: 2_000,
      maxDeadlineMs: 5_000,
      protoFiles: [],
      interceptors: [interceptor],
      services: [
        serviceBinding(UsersServiceService, {
          register: notUsed,
          login: async () => ({ tokens: undefined }),
          refreshToken: notUsed,
          getProfile: async (req, ctx) => {
            if (req.userId !== ctx.user?.id) throw new PermissionDenied('not your profile');
            return { profile: undefined };
          },
          updateProfile: notUsed,
        }),
      ],
    });
    client = createClient(UsersServiceService, {
      name: 'users',
      addresses: [`127.0.0.1:${server.port}`],
      defaultDeadlineMs: 2_000,
    });
  });
  afterAll(async () => {
    client.close();
    await server.stop(1_000);
  });

  it('answers UNAUTHENTICATED without a token, PERMISSION_DENIED for another user, OK for oneself', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => Status.OK,
        (e: ServiceError) => e.code,
      );
    expect(await code(client.getProfile({ userId: 'alice' }))).toBe(Status.UNAUTHENTICATED);
    const md = new Metadata();
    md.set('authorization', `Bearer ${(await signer.sign('alice')).token}`);
    expect(await code(client.getProfile({ userId: 'bob' }, { metadata: md }))).toBe(Status.PERMISSION_DENIED);
    expect(await code(client.getProfile({ userId: 'alice' }, { metadata: md }))).toBe(Status.OK);
    expect(await code(client.login({ email: 'a@b.c', password: 'x' }))).toBe(Status.OK);
  });
});
