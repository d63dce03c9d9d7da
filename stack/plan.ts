import { hkdfSync } from 'node:crypto';
import { SERVICE_NAMES, type AuthConfig, type Endpoint, type ServiceName } from '../platform/config.js';
import type { InfraEndpoints, StackOptions } from './types.js';

/** Who calls whom over gRPC: each instance gets the addresses of every instance of its peers. */
export const GRPC_PEERS: Record<ServiceName, ServiceName[]> = {
  users: [],
  inventory: [],
  payments: [],
  gateway: [],
  orders: ['inventory', 'payments', 'users'],
  // Analytics reads the stock of the best-selling SKUs.
  analytics: ['inventory'],
};

/** One service instance to start: its name, ports and complete config. */
export interface InstancePlan {
  service: ServiceName;
  instance: number;
  /** "<service>-<instance>". */
  name: string;
  grpcPort: number;
  /** HTTP port for /metrics (and the gateway's payment API, analytics' dashboard). */
  httpPort: number;
  config: Record<string, unknown>;
}

/**
 * How an instance reaches one of its dependencies: given the link (from instance, to component,
 * the component's real endpoint), the endpoint to put in the instance's config — the real one
 * (direct links), or the listen address of the fault proxy on that link.
 */
export type LinkResolver = (from: string, to: string, upstream: Endpoint) => Endpoint;

/** Direct links: every instance talks to its dependencies' real endpoints. */
export const directLinks: LinkResolver = (_from, _to, upstream) => upstream;

/**
 * Plans every service instance of a stack: ports (taken from `ports` in order) and the config each
 * process validates at start, with every dependency endpoint passed through `link`. Pure, so the
 * wiring can be unit-tested.
 */
export function planInstances(
  options: StackOptions,
  infra: InfraEndpoints,
  mysql: { user: string; password: string },
  portList: number[],
  auth: AuthConfig,
  link: LinkResolver = directLinks,
): InstancePlan[] {
  const ports = [...portList];
  const take = () => {
    const p = ports.shift();
    if (p === undefined) throw new Error('planInstances: ran out of ports');
    return p;
  };
  const plans: InstancePlan[] = [];
  for (const service of SERVICE_NAMES) {
    for (let instance = 1; instance <= options.replicas[service]; instance++) {
      plans.push({
        service,
        instance,
        name: `${service}-${instance}`,
        grpcPort: take(),
        httpPort: take(),
        config: {},
      });
    }
  }
  const at = (port: number): Endpoint => ({ host: '127.0.0.1', port });
  const str = (e: Endpoint) => `${e.host}:${e.port}`;
  for (const plan of plans) {
    const to = (name: string, upstream: Endpoint) => link(plan.name, name, upstream);
    const peers: Partial<Record<ServiceName, string[]>> = {};
    for (const peer of GRPC_PEERS[plan.service]) {
      const list = plans.filter((p) => p.service === peer).map((p) => str(to(p.name, at(p.grpcPort))));
      if (list.length > 0) peers[peer] = list;
    }
    const zk = to('zookeeper', infra.zookeeper);
    plan.config = {
      service: plan.service,
      instance: plan.instance,
      host: '127.0.0.1',
      grpcPort: plan.grpcPort,
      metricsPort: plan.httpPort,
      logLevel: options.logLevel,
      lifeline: true,
      mysql: {
        primary: to('mysql-primary', infra.mysqlPrimary),
        replica: to('mysql-replica', infra.mysqlReplica),
        user: mysql.user,
        password: mysql.password,
        database: databaseOf(plan.service),
      },
      redis: to('redis', infra.redis),
      zookeeper: { connect: str(zk) },
      peers,
      // Only users may sign tokens; everyone else gets the public keys.
      auth: plan.service === 'users' ? auth : publicOnly(auth),
      ...(options.otlpEndpoint ? { otlpEndpoint: options.otlpEndpoint } : {}),
      ...serviceSection(plan.service, options, plans, auth, (p) => to(p.name, at(p.httpPort))),
    };
    const overrides = options.serviceOverrides[plan.service];
    if (overrides) plan.config = deepMerge(plan.config, overrides);
  }
  return plans;
}

function publicOnly(auth: AuthConfig): AuthConfig {
  return { ...auth, keys: auth.keys.map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem })) };
}

/** The database a service owns (one schema per service on the shared primary). */
export function databaseOf(service: ServiceName): string {
  return service.replace(/-/g, '_');
}

function serviceSection(
  service: ServiceName,
  options: StackOptions,
  plans: InstancePlan[],
  auth: AuthConfig,
  http: (p: InstancePlan) => Endpoint,
): Record<string, unknown> {
  switch (service) {
    case 'inventory':
      return { inventory: { lockStrategy: options.lockStrategy } };
    case 'payments':
      return {
        payments: {
          gatewayUrls: plans
            .filter((p) => p.service === 'gateway')
            .map((p) => http(p))
            .map((e) => `http://${e.host}:${e.port}`),
          signingSecret: gatewaySigningSecret(auth),
        },
      };
    case 'gateway':
      return { gateway: { signingSecret: gatewaySigningSecret(auth) } };
    case 'analytics':
      // It scrapes every other process's /metrics directly (observation, not a faultable link).
      return {
        analytics: {
          scrape: {
            targets: plans
              .filter((p) => p.service !== 'analytics')
              .map((p) => `http://127.0.0.1:${p.httpPort}/metrics`),
          },
        },
      };
    case 'users':
      // A local stack seeds thousands of buyers: scrypt at N=2^10 (1 MiB, ~1 ms a hash) instead of
      // the service default 2^14 (~50 ms), so a 10,000-buyer flash sale seeds in seconds. Stored
      // hashes carry their parameters; a production config raises the cost.
      return { users: { scrypt: { log2N: 10 } } };
    default:
      return {};
  }
}

/**
 * The secret payments signs its gateway requests with and the gateway verifies: derived (HKDF)
 * from the stack's token signing key, so it is per stack and stays pure here.
 */
function gatewaySigningSecret(auth: AuthConfig): string {
  const key = auth.keys.find((k) => k.kid === auth.activeKid) ?? auth.keys[0]!;
  const ikm = key.privateKeyPem ?? key.publicKeyPem;
  return Buffer.from(hkdfSync('sha256', ikm, 'ecom', 'payments-gateway-request-signing', 32)).toString('hex');
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
