import { SERVICE_NAMES, type AuthConfig, type ServiceName } from '../platform/config.js';
import type { InfraEndpoints, StackOptions } from './types.js';

/** Who calls whom over gRPC: each instance gets the addresses of every instance of its peers. */
export const GRPC_PEERS: Record<ServiceName, ServiceName[]> = {
  users: [],
  inventory: [],
  payments: [],
  gateway: [],
  orders: ['inventory', 'payments', 'users'],
  analytics: [],
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
 * Plans every service instance of a stack: ports (taken from `ports` in order) and the config each
 * process validates at start. Pure, so the wiring can be unit-tested.
 */
export function planInstances(
  options: StackOptions,
  infra: InfraEndpoints,
  mysql: { user: string; password: string },
  ports: number[],
  auth: AuthConfig,
): InstancePlan[] {
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
  const addresses = (s: ServiceName) =>
    plans.filter((p) => p.service === s).map((p) => `127.0.0.1:${p.grpcPort}`);
  for (const plan of plans) {
    const peers: Partial<Record<ServiceName, string[]>> = {};
    for (const peer of GRPC_PEERS[plan.service]) {
      const list = addresses(peer);
      if (list.length > 0) peers[peer] = list;
    }
    plan.config = {
      service: plan.service,
      instance: plan.instance,
      host: '127.0.0.1',
      grpcPort: plan.grpcPort,
      metricsPort: plan.httpPort,
      logLevel: options.logLevel,
      lifeline: true,
      mysql: {
        primary: infra.mysqlPrimary,
        replica: infra.mysqlReplica,
        user: mysql.user,
        password: mysql.password,
        database: databaseOf(plan.service),
      },
      redis: infra.redis,
      zookeeper: { connect: `${infra.zookeeper.host}:${infra.zookeeper.port}` },
      peers,
      // Only users may sign tokens; everyone else gets the public keys.
      auth: plan.service === 'users' ? auth : publicOnly(auth),
      ...(options.otlpEndpoint ? { otlpEndpoint: options.otlpEndpoint } : {}),
      ...serviceSection(plan.service, options, plans),
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
): Record<string, unknown> {
  switch (service) {
    case 'inventory':
      return { inventory: { lockStrategy: options.lockStrategy } };
    case 'payments':
      return {
        payments: {
          gatewayUrls: plans
            .filter((p) => p.service === 'gateway')
            .map((p) => `http://127.0.0.1:${p.httpPort}`),
        },
      };
    default:
      return {};
  }
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
