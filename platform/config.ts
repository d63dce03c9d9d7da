import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Every service of the stack (the gateway simulator plays the external payment provider). */
export const SERVICE_NAMES = ['users', 'inventory', 'payments', 'gateway', 'orders', 'analytics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const port = z.number().int().min(0).max(65535);
export const Endpoint = z.object({ host: z.string().min(1), port: port.min(1) });
export type Endpoint = z.infer<typeof Endpoint>;

export const MysqlConfig = z.object({
  primary: Endpoint,
  replica: Endpoint,
  user: z.string().min(1),
  password: z.string(),
  database: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _'),
  poolSize: z.number().int().min(1).max(500).default(10),
});
export type MysqlConfig = z.infer<typeof MysqlConfig>;

export const ZooKeeperConfig = z.object({
  /** "host:port[,host:port...]". */
  connect: z.string().regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'host:port[,host:port...]'),
  sessionTimeoutMs: z.number().int().min(1000).max(60_000).default(6_000),
});
export type ZooKeeperConfig = z.infer<typeof ZooKeeperConfig>;

/**
 * Token keys of the stack. Users signs access tokens with the active private key; every other
 * service only gets public keys (it can verify, never mint). Keys carry an id so they can rotate:
 * a token names its key in the JWT header ("kid").
 */
export const AuthConfig = z.object({
  issuer: z.string().min(1).default('ecom-users'),
  audience: z.string().min(1).default('ecom'),
  /** The kid new tokens are signed with (users only). */
  activeKid: z.string().min(1),
  keys: z
    .array(
      z.object({
        kid: z.string().min(1),
        /** Ed25519 public key, SPKI PEM. */
        publicKeyPem: z.string().startsWith('-----BEGIN PUBLIC KEY-----'),
        /** Ed25519 private key, PKCS#8 PEM; only the users service gets it. */
        privateKeyPem: z.string().startsWith('-----BEGIN PRIVATE KEY-----').optional(),
      }),
    )
    .min(1),
});
export type AuthConfig = z.infer<typeof AuthConfig>;

/** The part of the config every service process has. Services extend it with their own section. */
export const BaseConfig = z.object({
  service: z.enum(SERVICE_NAMES),
  /** 1-based instance number; the instance is named "<service>-<instance>". */
  instance: z.number().int().min(1),
  host: z.string().min(1).default('127.0.0.1'),
  grpcPort: port,
  metricsPort: port,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  mysql: MysqlConfig.optional(),
  redis: Endpoint.optional(),
  zookeeper: ZooKeeperConfig.optional(),
  auth: AuthConfig.optional(),
  /** Addresses ("host:port") of the instances of each peer service this instance calls. */
  peers: z
    .partialRecord(z.enum(SERVICE_NAMES), z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).min(1))
    .default({}),
  deadlines: z
    .object({
      defaultMs: z.number().int().min(1).max(600_000).default(5_000),
      maxMs: z.number().int().min(1).max(600_000).default(30_000),
    })
    .default({ defaultMs: 5_000, maxMs: 30_000 }),
  /** Exit when stdin closes: the stack supervisor that started us is gone. */
  lifeline: z.boolean().default(false),
  otlpEndpoint: z.url().optional(),
});
export type BaseConfig = z.infer<typeof BaseConfig>;

/** A config that failed validation; the message names every offending field. */
export class ConfigError extends Error {
  constructor(
    readonly issues: { field: string; message: string }[],
    source: string,
  ) {
    super(`invalid config (${source}):\n` + issues.map((i) => `  ${i.field}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Validates raw config against a schema and fills defaults; throws {@link ConfigError}. */
export function parseConfig<S extends z.ZodType>(schema: S, raw: unknown, source = 'config'): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => ({
      field: i.path.length > 0 ? i.path.map(String).join('.') : '(root)',
      message: i.message,
    })),
    source,
  );
}

/**
 * Reads a process's raw config: `--config FILE` on the command line, else the ECOM_CONFIG
 * environment variable holding JSON.
 */
export function readRawConfig(
  argv: string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): {
  raw: unknown;
  source: string;
} {
  const i = argv.indexOf('--config');
  if (i >= 0) {
    const file = argv[i + 1];
    if (!file) throw new ConfigError([{ field: '--config', message: 'needs a file path' }], 'command line');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        [{ field: '--config', message: `cannot read ${file}: ${(err as Error).message}` }],
        file,
      );
    }
    return { raw: parseJson(text, file), source: file };
  }
  if (env.ECOM_CONFIG) return { raw: parseJson(env.ECOM_CONFIG, 'ECOM_CONFIG'), source: 'ECOM_CONFIG' };
  throw new ConfigError(
    [{ field: '--config', message: 'no config: pass --config FILE or set ECOM_CONFIG' }],
    'command line',
  );
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError([{ field: '(root)', message: `not JSON: ${(err as Error).message}` }], source);
  }
}
