import { z } from 'zod';
import { SERVICE_NAMES, type Endpoint, type ServiceName } from '../platform/config.js';

export const RUNTIMES = ['processes', 'containers'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** How inventory prevents overselling; `none` is deliberately unsafe (it shows what an oversell looks like). */
export const LOCK_STRATEGIES = ['zk+db', 'db', 'zk', 'none'] as const;
export type LockStrategy = (typeof LOCK_STRATEGIES)[number];

/** Instances per service. */
export type Replicas = Record<ServiceName, number>;

export const DEFAULT_REPLICAS: Replicas = {
  users: 1,
  inventory: 1,
  payments: 1,
  gateway: 1,
  orders: 1,
  analytics: 1,
};

/** What `ecom up` (or a test) asks for; validated by {@link StackOptions}. */
export const StackOptions = z.object({
  runtime: z.enum(RUNTIMES).default('processes'),
  /** The stack's folder (state, data, logs); default ".ecom" in the working directory. */
  dir: z.string().min(1),
  replicas: z
    .partialRecord(z.enum(SERVICE_NAMES), z.number().int().min(0).max(8))
    .default({})
    .transform((r): Replicas => ({ ...DEFAULT_REPLICAS, ...r })),
  lockStrategy: z.enum(LOCK_STRATEGIES).default('zk+db'),
  withPrometheus: z.boolean().default(false),
  otlpEndpoint: z.url().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `proxied` (default): every instance reaches each dependency through its own fault-proxy link,
   * so chaos can cut one instance off. `direct`: no proxies (benchmarks of raw paths; no link faults).
   */
  links: z.enum(['proxied', 'direct']).default('proxied'),
  /**
   * Keep running after the process that started the stack exits (`ecom up`). When false (tests,
   * `ecom demo`), the stack tears itself down as soon as its starter goes away.
   */
  persistent: z.boolean().default(false),
  /**
   * Images of the containers runtime; unset ones come from ECOM_IMAGE_MARIADB, ECOM_IMAGE_REDIS,
   * ECOM_IMAGE_ZOOKEEPER, ECOM_IMAGE_SERVICES, else the official image (or its `ecom images build`
   * equivalent when only that one is present). Ignored by the processes runtime.
   */
  images: z
    .object({
      mariadb: z.string().min(1),
      redis: z.string().min(1),
      zookeeper: z.string().min(1),
      services: z.string().min(1),
    })
    .partial()
    .default({}),
  /** Containers runtime only: service instances run as containers of the services image, not host processes. */
  servicesInContainers: z.boolean().default(false),
  /** Extra per-service config merged into every instance's config (tests tune timeouts with it). */
  serviceOverrides: z.partialRecord(z.enum(SERVICE_NAMES), z.record(z.string(), z.unknown())).default({}),
});
export type StackOptionsInput = z.input<typeof StackOptions>;
export type StackOptions = z.output<typeof StackOptions>;

export type ComponentKind = 'mysql' | 'redis' | 'zookeeper' | 'service' | 'prometheus';

/** One running part of the stack, as `ecom status --json` reports it. */
export interface ComponentState {
  /** "mysql-primary", "mysql-replica", "redis", "zookeeper" or "<service>-<n>". */
  name: string;
  kind: ComponentKind;
  pid?: number;
  /** "host:port". */
  endpoint: string;
  /** Prometheus endpoint, for services. */
  metrics?: string;
  service?: ServiceName;
  instance?: number;
  /** Container id under the containers runtime. */
  containerId?: string;
}

/** Endpoints of the infrastructure every runtime provides. */
export interface InfraEndpoints {
  mysqlPrimary: Endpoint;
  mysqlReplica: Endpoint;
  redis: Endpoint;
  zookeeper: Endpoint;
}

/** The state file (.ecom/stack.json): what `status`, `down`, `chaos` and `verify` work from. */
export interface StackState {
  version: 1;
  runtime: RuntimeName;
  dir: string;
  startedAt: string;
  /** The supervisor process that owns every component; it leads their process group. */
  supervisor: { pid: number; pgid: number; control: string };
  options: StackOptions;
  infra: InfraEndpoints;
  components: ComponentState[];
  /** The fault proxy's Toxiproxy-compatible HTTP API ("host:port"), when links are proxied. */
  faultProxy?: string;
  /** MySQL credentials of the stack (local, throwaway). */
  mysql: { user: string; password: string };
  /** How long `ecom up` took to all-healthy, in ms. */
  startupMs?: number;
}

export function endpointString(e: Endpoint): string {
  return `${e.host}:${e.port}`;
}
