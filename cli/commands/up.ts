import { z } from 'zod';
import { SERVICE_NAMES } from '../../platform/config.js';
import { checkRequirements } from '../../stack/requirements.js';
import { startStack } from '../../stack/start.js';
import { stackStatus } from '../../stack/status.js';
import { prometheusConfigPath } from '../../stack/prometheus/config.js';
import { LOCK_STRATEGIES, RUNTIMES, type RuntimeName } from '../../stack/types.js';
import { findExecutable } from '../../stack/which.js';
import { defineCommand } from '../command.js';
import { EnvironmentError, ExitCode, UsageError } from '../exit.js';
import { progressDisplay } from '../ui/progress.js';
import { printStatus } from '../ui/status-table.js';

/** Parses "orders=2,inventory=3" into a replica count per service. */
export const ReplicasFlag = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const out: Record<string, number> = {};
    for (const part of text.split(',').filter(Boolean)) {
      const [name, count] = part.split('=');
      if (!name || !(SERVICE_NAMES as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown service "${name}" (one of ${SERVICE_NAMES.join(', ')})`,
        });
        return z.NEVER;
      }
      const n = Number(count);
      if (!Number.isInteger(n) || n < 0 || n > 8) {
        ctx.addIssue({
          code: 'custom',
          message: `${name}=${count ?? ''}: the count must be an integer 0..8`,
        });
        return z.NEVER;
      }
      out[name] = n;
    }
    return out;
  });

export default defineCommand({
  name: 'up',
  summary: 'start MariaDB (primary + replica), Redis, ZooKeeper and every service; return when healthy',
  configure(cmd) {
    cmd
      .option(
        '--runtime <name>',
        `where infrastructure runs: ${RUNTIMES.join(' or ')} (default: containers when a Docker engine answers and the images are present, else processes)`,
      )
      .option(
        '--image-mariadb <image>',
        'containers runtime: MariaDB image (env ECOM_IMAGE_MARIADB; default mariadb:10.11)',
      )
      .option(
        '--image-redis <image>',
        'containers runtime: Redis image (env ECOM_IMAGE_REDIS; default redis:7)',
      )
      .option(
        '--image-zookeeper <image>',
        'containers runtime: ZooKeeper image (env ECOM_IMAGE_ZOOKEEPER; default zookeeper:3.8)',
      )
      .option(
        '--services-in-containers',
        'containers runtime: run the service instances as containers of the services image (ECOM_IMAGE_SERVICES)',
        false,
      )
      .option('--replicas <list>', 'instances per service, e.g. orders=2,inventory=3 (default 1 each)', '')
      .option('--lock-strategy <s>', `inventory concurrency control: ${LOCK_STRATEGIES.join(', ')}`, 'zk+db')
      .option('--with-prometheus', 'also start Prometheus scraping every process', false)
      .option('--otlp-endpoint <url>', 'export OpenTelemetry traces to this OTLP endpoint')
      .option('--log-level <level>', 'log level of the services', 'info')
      .option('--json', 'print the stack status as one JSON document on stdout', false)
      .addHelpText(
        'after',
        `
The stack keeps running after this command returns; \`ecom down\` stops it. Everything lives in
the stack folder (--dir, default .ecom): state in stack.json, data under data/, one log per
process under logs/. Ctrl-C while starting stops what was started.

Runtimes: \`processes\` runs MariaDB (primary + replica), Redis and ZooKeeper as child processes from
Debian's packages; \`containers\` runs them as containers through Testcontainers (official images by
default; when only the \`ecom images build\` equivalents are present, those). Service instances are
host processes in both, unless --services-in-containers runs them as containers of the services image
(deploy/Dockerfile; \`ecom images build\` builds it) on the host network. Without --runtime,
containers is chosen when a Docker engine answers and the images are present, else processes;
the choice and its reason go to stderr.

--lock-strategy none is deliberately unsafe (read-check-write without locks): it exists to show
what an oversell looks like, and \`ecom verify\` will report it.

Examples:
  ecom up
  ecom up --replicas orders=2,inventory=3 --json
  ecom up --lock-strategy db
  ecom up --runtime containers --image-mariadb mariadb:11.4`,
      );
  },
  schema: z.object({
    runtime: z.enum(RUNTIMES).optional(),
    imageMariadb: z.string().min(1).optional(),
    imageRedis: z.string().min(1).optional(),
    imageZookeeper: z.string().min(1).optional(),
    servicesInContainers: z.boolean(),
    replicas: ReplicasFlag,
    lockStrategy: z.enum(LOCK_STRATEGIES),
    withPrometheus: z.boolean(),
    otlpEndpoint: z.url().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    json: z.boolean(),
  }),
  async run(opts, ctx) {
    if (opts.withPrometheus && findExecutable('prometheus') === null) {
      throw new EnvironmentError(
        "--with-prometheus needs the prometheus binary: install Debian's `prometheus` package " +
          '(apt-get install -y prometheus, or `ecom doctor --fix --optional`)',
      );
    }
    const images = {
      ...(opts.imageMariadb ? { mariadb: opts.imageMariadb } : {}),
      ...(opts.imageRedis ? { redis: opts.imageRedis } : {}),
      ...(opts.imageZookeeper ? { zookeeper: opts.imageZookeeper } : {}),
    };
    const runtime =
      opts.runtime ?? (opts.servicesInContainers ? 'containers' : await pickRuntime(images, ctx.err));
    if (opts.servicesInContainers && runtime !== 'containers') {
      throw new UsageError('--services-in-containers needs the containers runtime (--runtime containers)');
    }
    if (opts.lockStrategy === 'none') {
      ctx.err.write(
        'WARNING: --lock-strategy none is deliberately unsafe: inventory WILL oversell under concurrency.\n',
      );
    }
    const missing = (await checkRequirements(runtime)).filter(
      // debootstrap only builds images; absent images are pulled (or say how to build them).
      (r) => r.runtime === runtime && !r.ok && r.name !== 'debootstrap' && r.name !== 'images',
    );
    if (missing.length > 0) {
      throw new EnvironmentError(
        `the ${runtime} runtime needs ${missing.map((m) => m.name).join(', ')}: ${missing.map((m) => m.hint).join('; ')}`,
      );
    }
    const progress = progressDisplay('starting the stack', ctx.interactive && !opts.json, ctx.err);
    let stack;
    try {
      stack = await startStack(
        {
          dir: ctx.dir,
          runtime,
          images,
          servicesInContainers: opts.servicesInContainers,
          replicas: opts.replicas,
          lockStrategy: opts.lockStrategy,
          withPrometheus: opts.withPrometheus,
          otlpEndpoint: opts.otlpEndpoint,
          logLevel: opts.logLevel,
          persistent: true,
        },
        { onProgress: (c, s) => progress.update(c, s), signal: ctx.signal },
      );
    } finally {
      progress.done();
    }
    const status = await stackStatus(stack.state);
    printStatus(status, { json: opts.json, out: ctx.out, startupMs: stack.state.startupMs });
    if (!opts.json) {
      ctx.err.write(
        `stack ready in ${((stack.state.startupMs ?? 0) / 1000).toFixed(1)} s; \`ecom down\` stops it\n`,
      );
      ctx.err.write(observabilityLines(stack.state.components, ctx.dir));
    }
    return status.components.every((c) => c.healthy) ? ExitCode.ok : ExitCode.violation;
  },
});

/** Containers when a Docker engine answers and the images are present, else processes; says which and why. */
async function pickRuntime(
  images: Partial<Record<'mariadb' | 'redis' | 'zookeeper', string>>,
  err: NodeJS.WritableStream,
): Promise<RuntimeName> {
  const { containersAvailability } = await import('../../testcontainers/availability.js');
  const containers = await containersAvailability(images).catch((e: unknown) => ({
    ok: false,
    reason: `the Docker engine could not be asked: ${(e as Error).message}`,
  }));
  const runtime: RuntimeName = containers.ok ? 'containers' : 'processes';
  err.write(`runtime: ${runtime} (${containers.reason})\n`);
  return runtime;
}

/** Where to look at the running stack: the live dashboard, Prometheus, the scrape config. */
export function observabilityLines(
  components: { name: string; kind: string; service?: string; metrics?: string; endpoint: string }[],
  dir: string,
): string {
  const lines: string[] = [];
  const analytics = components.find((c) => c.service === 'analytics' && c.metrics);
  if (analytics?.metrics)
    lines.push(`live dashboard: ${new URL('/', analytics.metrics).href}  (or \`ecom dashboard\`)`);
  const prometheus = components.find((c) => c.kind === 'prometheus');
  if (prometheus) lines.push(`prometheus:     http://${prometheus.endpoint}/`);
  lines.push(`scrape config:  ${prometheusConfigPath(dir)}`);
  return lines.map((l) => l + '\n').join('');
}
