import { z } from 'zod';
import { stopStack } from '../../stack/stop.js';
import { defineCommand } from '../command.js';
import { ExitCode } from '../exit.js';

export default defineCommand({
  name: 'down',
  summary: 'stop everything the stack started (services first, then infrastructure); no orphans',
  configure(cmd) {
    cmd.option('--json', 'print one JSON document on stdout', false).addHelpText(
      'after',
      `
Asks the stack's supervisor to stop every component gracefully, then kills whatever is left of
its process group. Safe to run twice, and on a stack whose supervisor crashed.`,
    );
  },
  schema: z.object({ json: z.boolean() }),
  async run(opts, ctx) {
    const report = await stopStack(ctx.dir);
    if (opts.json) ctx.out.write(JSON.stringify(report) + '\n');
    else if (!report.found) ctx.err.write(`no stack recorded in ${ctx.dir}: nothing to stop\n`);
    else {
      ctx.err.write(`stack stopped in ${(report.durationMs / 1000).toFixed(1)} s\n`);
      if (report.killed.length > 0)
        ctx.err.write(`killed after the graceful stop timed out: ${report.killed.join(', ')}\n`);
    }
    if (report.leftover.length > 0) {
      ctx.err.write(`processes still alive: ${report.leftover.join(', ')}\n`);
      return ExitCode.violation;
    }
    return ExitCode.ok;
  },
});
