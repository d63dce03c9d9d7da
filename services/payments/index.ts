import { createDatabase } from '../../platform/mysql.js';
import { startOutboxRelay } from '../../platform/outbox/relay.js';
import { createRedis } from '../../platform/redis.js';
import { runService } from '../../platform/service-main.js';
import { createBreaker } from './breaker.js';
import { Charges } from './charge.js';
import { signer } from './crypto-work.js';
import { PaymentsConfig } from './config.js';
import { GatewayCaller } from './gateway-caller.js';
import { GatewayClient } from './gateway-client.js';
import { Refunds } from './refund.js';
import { RefundStore } from './refund-store.js';
import { paymentsBinding } from './server.js';
import { startSettler } from './settler.js';
import { PaymentStore } from './store.js';
import { startWorkPool } from './work-pool.js';

await runService(PaymentsConfig, async ({ config, logger, metrics, lifecycle, instanceName }) => {
  const cfg = config.payments;
  const registry = metrics.registry;
  const db = createDatabase(config.mysql, { logger, metrics });
  lifecycle.add('mysql', db);
  const work = startWorkPool({ ...cfg.workers, registry });
  lifecycle.add('worker pool', work);
  const client = new GatewayClient({
    urls: cfg.gatewayUrls,
    ...cfg.gateway,
    sign: signer(cfg.signingSecret),
    metrics,
  });
  lifecycle.add('gateway pool', client);
  const breaker = createBreaker('gateway', cfg.breaker, { registry, logger });
  lifecycle.add('gateway breaker', breaker);
  const gateway = new GatewayCaller(client, breaker, {
    retry: cfg.retry,
    attemptTimeoutMs: cfg.gateway.attemptTimeoutMs,
  });

  const store = new PaymentStore(db, instanceName);
  const refundStore = new RefundStore(db, instanceName);
  // Domain events (outbox, written with each settled payment and refund) go to Redis.
  if (config.redis) {
    const events = createRedis(config.redis, logger);
    lifecycle.add('events redis', events);
    lifecycle.add(
      'outbox relay',
      startOutboxRelay({ pool: db.primary, redis: events.client, logger, registry }),
    );
  } else logger.warn('redis: not configured, domain events stay in the outbox table');
  const deps = { store, gateway, config: cfg, instanceName, logger };
  const charges = new Charges({ ...deps, work });
  const refunds = new Refunds({ ...deps, refunds: refundStore });
  const settler = startSettler({
    targets: [
      { kind: 'payment', leases: store.leases, settleDue: (d) => charges.settleDue(d) },
      { kind: 'refund', leases: refundStore.leases, settleDue: (d) => refunds.settleDue(d) },
    ],
    breaker,
    ...cfg.settler,
    logger,
    registry,
  });
  lifecycle.add('settler', settler);
  return {
    bindings: [paymentsBinding({ charges, refunds, store })],
    protoFiles: ['ecom/payments/v1/payments.proto'],
  };
});
