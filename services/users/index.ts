import { createTokenSigner } from '../../platform/auth/signer.js';
import { createTokenVerifier } from '../../platform/auth/verifier.js';
import { authInterceptor } from '../../platform/grpc/auth-interceptor.js';
import { createDatabase } from '../../platform/mysql.js';
import { createRateLimiter } from '../../platform/ratelimit.js';
import { createRedis } from '../../platform/redis.js';
import { runService } from '../../platform/service-main.js';
import { createAccounts } from './accounts.js';
import { UsersConfig } from './config.js';
import { createPasswordHasher } from './password.js';
import { createProfileCache } from './profile-cache.js';
import { createProfiles } from './profiles.js';
import { createRefreshStore } from './refresh-store.js';
import { PUBLIC_METHODS, usersBinding } from './server.js';
import { createUsersStore } from './store.js';
import { createTokenIssuer } from './tokens.js';

await runService(UsersConfig, async ({ config, logger, metrics, lifecycle }) => {
  const cfg = config.users;
  const signer = createTokenSigner(config.auth, { ttlSeconds: cfg.accessTokenTtlSeconds });
  const verifier = createTokenVerifier(config.auth);
  const db = createDatabase(config.mysql, { logger, metrics });
  lifecycle.add('mysql', db);
  const redis = createRedis(config.redis, logger);
  lifecycle.add('redis', redis);

  const limiter = (name: string, spec: typeof cfg.loginLimits.perEmail) =>
    createRateLimiter({ ...spec, redis: redis.client, keyPrefix: name, logger, registry: metrics.registry });
  const store = createUsersStore(db);
  const tokens = createTokenIssuer({
    signer,
    store: createRefreshStore(db),
    refreshTtlSeconds: cfg.refreshTokenTtlSeconds,
  });
  const accounts = createAccounts({
    store,
    hasher: createPasswordHasher(cfg.scrypt),
    tokens,
    limits: {
      perEmail: limiter('login-email', cfg.loginLimits.perEmail),
      perAddress: limiter('login-address', cfg.loginLimits.perAddress),
    },
  });
  const profiles = createProfiles({
    store,
    cache: cfg.profileCache.enabled
      ? createProfileCache(redis.client, { ttlSeconds: cfg.profileCache.ttlSeconds })
      : undefined,
    redis: redis.client,
    logger,
    registry: metrics.registry,
    fillMaxAgeMs: cfg.profileCache.fillMaxAgeMs,
    repairIntervalMs: cfg.profileCache.repairIntervalMs,
  });
  // Registered after redis and mysql, so it stops before them.
  lifecycle.add('profile cache repair', profiles);
  logger.info({ scrypt: cfg.scrypt, profileCache: cfg.profileCache.enabled }, 'users service configured');

  return {
    bindings: [usersBinding({ accounts, tokens, profiles })],
    protoFiles: ['ecom/users/v1/users.proto'],
    interceptors: [authInterceptor({ verifier, publicMethods: PUBLIC_METHODS })],
  };
});
