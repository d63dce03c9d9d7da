import { z } from 'zod';
import { defineCommand } from '../command.js';
import { EnvironmentError, ExitCode, UsageError } from '../exit.js';
import { formatTable } from '../ui/table.js';

const TARGETS = ['mariadb', 'redis', 'zookeeper', 'services'] as const;

/** "mariadb,redis" → the build targets; every one when empty. */
const TargetList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const names = text.split(',').filter(Boolean);
    const bad = names.filter((n) => !(TARGETS as readonly string[]).includes(n));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown image ${bad.join(', ')} (one of ${TARGETS.join(', ')})`,
      });
      return z.NEVER;
    }
    return (names.length > 0 ? names : [...TARGETS]) as (typeof TARGETS)[number][];
  });

export default defineCommand({
  name: 'images',
  summary: 'build local images for the containers runtime (Debian packages, no registry needed)',
  configure(cmd) {
    cmd
      .argument('<action>', 'what to do: build')
      .option('--only <list>', `build only these: ${TARGETS.join(', ')} (default: all)`, '')
      .option('--force', 'rebuild even the images that are up to date', false)
      .option('--mirror <url>', 'Debian mirror for debootstrap and apt', 'http://deb.debian.org/debian')
      .option('--json', 'print one JSON document on stdout', false)
      .addHelpText(
        'after',
        `
Builds, on a Debian base made with debootstrap (as root) and \`docker import\`:
  ecom/mariadb:10.11   ecom/redis:7   ecom/zookeeper:3.8   from Debian's packages
  ecom/services:latest from deploy/Dockerfile, on ecom/node:20 (this machine's Node.js)
They behave like the official images for what the containers runtime uses, and \`ecom up\` uses them
when the official images are not present. An image whose recipe (its build files and base) has not
changed is skipped. Needs a Docker engine and debootstrap (\`ecom doctor --runtime containers --fix\`).

Examples:
  ecom images build
  ecom images build --only mariadb,redis --force`,
      );
  },
  schema: z.object({
    args: z.tuple([z.string()]),
    only: TargetList,
    force: z.boolean(),
    mirror: z.url(),
    json: z.boolean(),
  }),
  async run(opts, ctx) {
    if (opts.args[0] !== 'build')
      throw new UsageError(`unknown action "${opts.args[0]}": the action is build`);
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    const { checkRequirements } = await import('../../stack/requirements.js');
    const missing = (await checkRequirements('containers')).filter(
      (r) => r.runtime === 'containers' && !r.ok && r.name !== 'images',
    );
    if (missing.length > 0) {
      throw new EnvironmentError(
        `building images needs ${missing.map((m) => m.name).join(', ')}: ${missing.map((m) => m.hint).join('; ')}`,
      );
    }
    const { buildImages } = await import('../../testcontainers/images.js');
    const { results, totalMs } = await buildImages({
      only: opts.only,
      force: opts.force,
      mirror: opts.mirror,
      onLine: (image, line) => {
        if (!ctx.interactive || opts.json) ctx.logger.debug({ image }, line);
        else ctx.err.write(`  ${image}: ${line}\n`);
      },
      onStatus: (r) => {
        if (r.status === 'building') ctx.err.write(`building ${r.image}...\n`);
        else if (r.status === 'failed')
          ctx.err.write(`FAILED ${r.image} after ${seconds(r.ms)}: ${'error' in r ? r.error : ''}\n`);
        else ctx.err.write(`${r.status} ${r.image} (${seconds(r.ms)})\n`);
      },
    });
    const failed = results.filter((r) => r.status === 'failed');
    if (opts.json)
      ctx.out.write(JSON.stringify({ ok: failed.length === 0, totalMs, results }, null, 2) + '\n');
    else {
      ctx.out.write(
        formatTable(
          ['image', 'status', 'seconds'],
          results.map((r) => [r.image, r.status, (r.ms / 1000).toFixed(1)]),
        ),
      );
      ctx.err.write(`images ${failed.length === 0 ? 'ready' : 'NOT all built'} in ${seconds(totalMs)}\n`);
    }
    return failed.length === 0 ? ExitCode.ok : ExitCode.violation;
  },
});

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
