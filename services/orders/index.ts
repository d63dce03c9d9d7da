import { createTokenVerifier } from '../../platform/auth/verifier.js';
import { authInterceptor } from '../../platform/grpc/auth-interceptor.js';
import { createDatabase } from '../../platform/mysql.js';
import { startOutboxRelay } from '../../platform/outbox/relay.js';
import { createRateLimiter } from '../../platform/ratelimit.js';
import { createRedis } from '../../platform/redis.js';
import { runService } from '../../platform/service-main.js';
import type { OrdersApp } from './app.js';
import { OrdersConfig } from './config.js';
import { createDownstream } from './downstream.js';
import { trackGtids } from './gtid.js';
import { createOrdersMetrics } from './metrics.js';
import { createReadRouter } from './reads.js';
import { startRecovery } from './recovery.js';
import { sagaEffects } from './saga-effects.js';
import { SagaRunner } from './saga-runner.js';
import { ORDERS_PROTO_FILES, ordersBinding } from './server.js';
import { OrderStore } from './store.js';

await runService(OrdersConfig, async ({ config, logger, metrics, instanceName, lifecycle }) => {
  const o = config.orders;
  if (!config.mysql) throw new Error('mysql: orders needs its database');
  if (o.requireAuth && !config.auth) throw new Error('auth: orders.requireAuth needs the token keys');
  const limited = o.rateLimit.perUser !== null || o.rateLimit.perAddress !== null;
  if (limited && !config.redis)
    throw new Error('redis: orders.rateLimit needs Redis (or set both limits to null)');
  const verifier = o.requireAuth && config.auth ? createTokenVerifier(config.auth) : undefined;

  const om = createOrdersMetrics(metrics.registry);
  // Multiple statements: a saga write is one round trip (store.ts); values still go through `?`.
  const db = createDatabase(config.mysql, { logger, metrics }, { multipleStatements: true });
  trackGtids(db.primary);
  lifecycle.add('mysql', db);
  const redis = limited && config.redis ? createRedis(config.redis, logger) : undefined;
  if (redis) lifecycle.add('redis', redis);
  // Domain events (outbox, written in the order transactions) go to Redis on their own connection.
  if (config.redis) {
    const events = createRedis(config.redis, logger);
    lifecycle.add('events redis', events);
    const relay = startOutboxRelay({
      pool: db.primary,
      redis: events.client,
      logger,
      registry: metrics.registry,
    });
    lifecycle.add('outbox relay', relay);
  } else logger.warn('redis: not configured, domain events stay in the outbox table');
  const downstream = createDownstream({
    peers: config.peers,
    orders: o,
    metrics,
    breakerGauge: om.breakerState,
    reserveBatch: om.reserveBatch,
  });
  lifecycle.add('downstream clients', downstream);

  const store = new OrderStore(db, instanceName);
  const runner = new SagaRunner({
    store,
    effects: sagaEffects(downstream, o),
    config: o,
    metrics: om,
    logger: logger.child({ component: `${instanceName}/saga` }),
    instance: instanceName,
  });
  lifecycle.add('saga runner', runner);
  const recovery = startRecovery({
    store,
    runner,
    metrics: om,
    logger,
    intervalMs: o.recoveryIntervalMs,
    batch: o.recoveryBatch,
  });
  lifecycle.add('recovery', recovery);

  const limiter = (name: string, spec: typeof o.rateLimit.perUser) =>
    spec && redis
      ? createRateLimiter({
          ...spec,
          redis: redis.client,
          keyPrefix: name,
          logger,
          registry: metrics.registry,
        })
      : undefined;
  const perUser = limiter('orders-place-user', o.rateLimit.perUser);
  const perAddress = limiter('orders-place-addr', o.rateLimit.perAddress);
  const app: OrdersApp = {
    config: o,
    store,
    runner,
    downstream,
    reads: createReadRouter({ db, metrics: om, logger, waitMs: o.replicaWaitMs }),
    limits: { ...(perUser ? { perUser } : {}), ...(perAddress ? { perAddress } : {}) },
    admission: { pending: 0, shed: () => om.shed.inc() },
    logger,
  };
  return {
    bindings: [ordersBinding(app)],
    protoFiles: ORDERS_PROTO_FILES,
    interceptors: verifier ? [authInterceptor({ verifier })] : [],
  };
});
