import { z } from 'zod';
import { readState, pidAlive } from '../../stack/state.js';
import { stackStatus } from '../../stack/status.js';
import { defineCommand } from '../command.js';
import { ExitCode } from '../exit.js';
import { printStatus } from '../ui/status-table.js';

export default defineCommand({
  name: 'status',
  summary: 'health of every component (gRPC health, server pings) and replication state and lag',
  configure(cmd) {
    cmd.option('--json', 'print one JSON document on stdout', false).addHelpText(
      'after',
      `
Exit 0 when every component is healthy and replication runs; 1 otherwise (or when no stack runs).`,
    );
  },
  schema: z.object({ json: z.boolean() }),
  async run(opts, ctx) {
    const state = readState(ctx.dir);
    if (!state || !pidAlive(state.supervisor.pid)) {
      if (opts.json)
        ctx.out.write(
          JSON.stringify({ running: false, runtime: null, components: [], replication: null }) + '\n',
        );
      else ctx.err.write(`no stack is running in ${ctx.dir} (start one with \`ecom up\`)\n`);
      return ExitCode.violation;
    }
    const status = await stackStatus(state);
    printStatus(status, { json: opts.json, out: ctx.out });
    const ok = status.components.every((c) => c.healthy) && status.replication.running;
    return ok ? ExitCode.ok : ExitCode.violation;
  },
});
