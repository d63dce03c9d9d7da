import { z } from 'zod';
import { runBench } from '../../scenarios/bench/run.js';
import { defineCommand } from '../command.js';
import { ExitCode } from '../exit.js';
import { formatTable } from '../ui/table.js';

export default defineCommand({
  name: 'bench',
  summary:
    'measure the raw ceilings, inventory Reserve per lock strategy and end-to-end orders/s, in one run',
  configure(cmd) {
    cmd
      .option(
        '--long',
        'the full matrix with longer windows (the figures of the README); default is the short CI mode',
        false,
      )
      .option('--json', 'print {"results": [...]} on stdout', false)
      .addHelpText(
        'after',
        `
Starts its own stack (3 inventory, 2 orders, 2 payments instances; direct links) in a temporary
folder — it does not touch a stack started with \`ecom up\` — and stops it at the end. Every
figure is measured in the same run and reported with p50/p99 and as a ratio to the raw ceiling:
a conditional UPDATE on one hot row over one connection, mysql2 straight to the primary. Machines
are noisy: compare ratios within one run, not absolute numbers across runs.

One more yardstick: a gRPC round trip through the services' own client and server code to an
echo process, one call at a time, with the CPU it costs on each side. An order makes five such
hops when nothing is coalesced (PlaceOrder, GetSkus, Reserve, Charge, Commit): this row shows what
the hops alone cost an order, against the whole order's CPU in the end-to-end rows.

Inventory Reserve is measured per lock strategy with batching off (one lock cycle and one
transaction per reservation), and with batching on through two clients: a plain one (one call per
Reserve) and the coalescing one orders uses (the Reserves of one event-loop turn leave as one
ReserveMany call).

End to end, flash-sale and steady-mix run at their own arrival rates; then flash-sale climbs
rates (short: 10, 20, 40/s) until p99 PlaceOrder passes 250 ms or an order is refused, and
reports the highest rate that held. Each end-to-end row's notes give the CPU every part of the
stack spent per order during the load (services from their /metrics, host processes from /proc).

Short mode takes about 3–4 minutes; --long about 10–15.`,
      );
  },
  schema: z.object({ long: z.boolean(), json: z.boolean() }),
  async run(opts, ctx) {
    const { results, ceiling } = await runBench({
      mode: opts.long ? 'long' : 'short',
      log: (l) => ctx.err.write(`${l}\n`),
    });
    if (opts.json) ctx.out.write(JSON.stringify({ ceiling, results }, null, 2) + '\n');
    else {
      ctx.out.write(
        formatTable(
          ['measurement', 'ops/s', 'p50 ms', 'p99 ms', '× ceiling', 'notes'],
          results.map((r) => [r.name, r.opsPerSecond, r.p50Ms, r.p99Ms, r.ratioToCeiling, r.notes]),
        ),
      );
    }
    return ExitCode.ok;
  },
});
