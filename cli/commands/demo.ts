import { z } from 'zod';
import { checkRequirements, installDebianPackages, packagesToInstall } from '../../stack/requirements.js';
import { startStack } from '../../stack/start.js';
import { stackStatus } from '../../stack/status.js';
import { defineCommand } from '../command.js';
import { EnvironmentError, ExitCode } from '../exit.js';
import { progressDisplay } from '../ui/progress.js';
import { printStatus } from '../ui/status-table.js';

export default defineCommand({
  name: 'demo',
  summary: 'one command to see ecom work: install what is missing, start the stack, show it, stop it',
  configure(cmd) {
    cmd.addHelpText(
      'after',
      `
Runs on a fresh Debian machine: as root it installs the missing Debian packages first (what
\`ecom doctor --fix\` does). The stack it starts is its own and is always stopped at the end,
also on Ctrl-C. Later issues extend the demo with seeding, a flash sale under a fault and
\`ecom verify\`.`,
    );
  },
  schema: z.object({}),
  async run(_opts, ctx) {
    const missing = packagesToInstall(await checkRequirements('processes'));
    if (missing.length > 0) {
      if (process.getuid?.() !== 0) {
        throw new EnvironmentError(
          `this machine lacks ${missing.join(', ')}: run \`sudo ecom doctor --fix\``,
        );
      }
      ctx.err.write(`installing what the stack needs: ${missing.join(' ')}\n`);
      await installDebianPackages(missing, ctx.logger);
    }
    const progress = progressDisplay('starting the stack', ctx.interactive, ctx.err);
    const stack = await startStack(
      { dir: ctx.dir, runtime: 'processes', persistent: false, logLevel: 'warn' },
      { onProgress: (c, s) => progress.update(c, s), signal: ctx.signal },
    ).finally(() => progress.done());
    try {
      ctx.err.write(`stack ready in ${((stack.state.startupMs ?? 0) / 1000).toFixed(1)} s\n\n`);
      const status = await stackStatus(stack.state);
      printStatus(status, { json: false, out: ctx.out });
      const healthy = status.components.every((c) => c.healthy) && status.replication.running;
      ctx.err.write(
        `\n${healthy ? 'every component is healthy' : 'some components are NOT healthy'}; stopping the stack\n`,
      );
      return healthy ? ExitCode.ok : ExitCode.violation;
    } finally {
      await stack.stop();
      ctx.err.write('stack stopped\n');
    }
  },
});
