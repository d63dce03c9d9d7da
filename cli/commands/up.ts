import { z } from 'zod';
import { SERVICE_NAMES } from '../../platform/config.js';
import { checkRequirements } from '../../stack/requirements.js';
import { startStack } from '../../stack/start.js';
import { stackStatus } from '../../stack/status.js';
import { LOCK_STRATEGIES, RUNTIMES } from '../../stack/types.js';
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
      .option('--runtime <name>', `where infrastructure runs: ${RUNTIMES.join(' or ')} (default: processes)`)
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

--lock-strategy none is deliberately unsafe (read-check-write without locks): it exists to show
what an oversell looks like, and \`ecom verify\` will report it.

Examples:
  ecom up
  ecom up --replicas orders=2,inventory=3 --json
  ecom up --lock-strategy db`,
      );
  },
  schema: z.object({
    runtime: z.enum(RUNTIMES).optional(),
    replicas: ReplicasFlag,
    lockStrategy: z.enum(LOCK_STRATEGIES),
    withPrometheus: z.boolean(),
    otlpEndpoint: z.url().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    json: z.boolean(),
  }),
  async run(opts, ctx) {
    if (opts.runtime === 'containers') {
      throw new UsageError(
        'the containers runtime arrives with issue #8 (Testcontainers); use --runtime processes',
      );
    }
    if (opts.withPrometheus) {
      throw new UsageError('--with-prometheus arrives with issue #10 (observability)');
    }
    if (opts.runtime === undefined)
      ctx.err.write('runtime: processes (the containers runtime is not available yet)\n');
    if (opts.lockStrategy === 'none') {
      ctx.err.write(
        'WARNING: --lock-strategy none is deliberately unsafe: inventory WILL oversell under concurrency.\n',
      );
    }
    const missing = (await checkRequirements('processes')).filter((r) => r.runtime === 'processes' && !r.ok);
    if (missing.length > 0) {
      throw new EnvironmentError(
        `the processes runtime needs ${missing.map((m) => m.name).join(', ')}: ${missing.map((m) => m.hint).join('; ')}`,
      );
    }
    const progress = progressDisplay('starting the stack', ctx.interactive && !opts.json, ctx.err);
    let stack;
    try {
      stack = await startStack(
        {
          dir: ctx.dir,
          runtime: 'processes',
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
    if (!opts.json)
      ctx.err.write(
        `stack ready in ${((stack.state.startupMs ?? 0) / 1000).toFixed(1)} s; \`ecom down\` stops it\n`,
      );
    return status.components.every((c) => c.healthy) ? ExitCode.ok : ExitCode.violation;
  },
});
