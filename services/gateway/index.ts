import { randomInt } from 'node:crypto';
import { createDatabase } from '../../platform/mysql.js';
import { runService } from '../../platform/service-main.js';
import { BehaviourControl } from './behaviour.js';
import { GatewayConfig } from './config.js';
import { gatewayHttp } from './http.js';
import { Ledger } from './ledger.js';
import { createGatewayMetrics } from './metrics.js';
import { Operations } from './operations.js';
import { seededRandom } from './random.js';

// The external payment provider simulator: a Stripe-like HTTP API on the instance's HTTP port,
// over its own ledger in MySQL. The gRPC side only serves health.
await runService(GatewayConfig, async ({ config, logger, metrics, lifecycle }) => {
  const db = createDatabase(config.mysql, { logger, metrics });
  lifecycle.add('mysql', db);
  const seed = config.gateway.seed ?? randomInt(0, 0xffffffff);
  logger.info({ seed, signing: config.gateway.signingSecret !== undefined }, 'gateway simulator');
  const http = gatewayHttp({
    ops: new Operations(new Ledger(db)),
    behaviour: new BehaviourControl(config.gateway.behaviour, seededRandom(seed)),
    config: config.gateway,
    logger,
    metrics: createGatewayMetrics(metrics.registry),
  });
  lifecycle.add('held connections', http);
  return { bindings: [], protoFiles: [], httpHandler: http.handler };
});
