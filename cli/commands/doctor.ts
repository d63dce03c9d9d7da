import { z } from 'zod';
import {
  checkRequirements,
  installDebianPackages,
  packagesToInstall,
  type RequirementResult,
} from '../../stack/requirements.js';
import { defineCommand } from '../command.js';
import { ExitCode } from '../exit.js';
import { formatTable } from '../ui/table.js';

const Runtime = z.enum(['processes', 'containers', 'all']);

export default defineCommand({
  name: 'doctor',
  summary: 'say what each runtime needs, what is missing and how to get it (--fix installs it)',
  configure(cmd) {
    cmd
      .option('--fix', 'install missing Debian packages (needs root on Debian/Ubuntu)', false)
      .option('--runtime <name>', 'which runtime to check and fix: processes, containers or all', 'processes')
      .option('--optional', 'with --fix, also install the optional extras (prometheus, chromium)', false)
      .option('--json', 'print one JSON document on stdout', false)
      .option('--quiet', 'print nothing when nothing is missing', false)
      .addHelpText(
        'after',
        `
The processes runtime needs mariadb-server, redis-server, zookeeper and a Java runtime; the
containers runtime needs docker.io (an engine that answers) and debootstrap (to build images
locally). Exit 0 when the checked runtime has everything, 3 when something is missing.

Examples:
  ecom doctor                    what is there, what is missing
  sudo ecom doctor --fix         install what the processes runtime lacks
  ecom doctor --runtime all --json`,
      );
  },
  schema: z.object({
    fix: z.boolean(),
    runtime: Runtime,
    optional: z.boolean(),
    json: z.boolean(),
    quiet: z.boolean(),
  }),
  async run(opts, ctx) {
    let results = await checkRequirements(opts.runtime);
    const needed = (r: RequirementResult[]) => r.filter((x) => x.runtime !== 'optional' || opts.optional);
    let installed: string[] = [];
    if (opts.fix) {
      const pkgs = packagesToInstall(results, opts.optional);
      if (pkgs.length > 0) {
        ctx.err.write(`installing Debian packages: ${pkgs.join(' ')}\n`);
        await installDebianPackages(pkgs, ctx.logger);
        installed = pkgs;
        results = await checkRequirements(opts.runtime);
      }
    }
    const missing = needed(results).filter((r) => !r.ok);
    if (opts.json) {
      ctx.out.write(
        JSON.stringify({ ok: missing.length === 0, installed, requirements: results }, null, 2) + '\n',
      );
    } else if (!(opts.quiet && missing.length === 0)) {
      ctx.out.write(
        formatTable(
          ['requirement', 'runtime', 'ok', 'detail / how to fix'],
          results.map((r) => [
            r.name,
            r.runtime,
            r.ok ? 'yes' : 'NO',
            r.ok ? r.detail : `${r.detail}; ${r.hint}`,
          ]),
        ),
      );
      if (installed.length > 0) ctx.out.write(`installed: ${installed.join(' ')}\n`);
      if (missing.length > 0)
        ctx.err.write(
          `missing: ${missing.map((m) => m.name).join(', ')} (run \`ecom doctor --fix\` as root)\n`,
        );
    }
    return missing.length === 0 ? ExitCode.ok : ExitCode.environment;
  },
});
