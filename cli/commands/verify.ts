import { z } from 'zod';
import { checkContextFor } from '../../invariants/context.js';
import { runCheckers } from '../../invariants/checker.js';
import { CHECKERS } from '../../invariants/index.js';
import { pidAlive, readState } from '../../stack/state.js';
import { defineCommand } from '../command.js';
import { EnvironmentError, ExitCode } from '../exit.js';
import { formatTable } from '../ui/table.js';

export default defineCommand({
  name: 'verify',
  summary: 'check every invariant against the stores and the latest run history; exit 1 on a violation',
  configure(cmd) {
    cmd
      .option('--history <file>', 'judge this run history instead of the latest one')
      .option('--json', 'print one JSON document on stdout', false)
      .addHelpText(
        'after',
        `
Invariants: ${CHECKERS.map((c) => `\n  ${c.name.padEnd(22)} ${c.description}`).join('')}

Each reports how much it checked and concrete violations (which order, which SKU, expected vs
found). A checker that cannot judge (no history yet, a store unreachable) says "unknown", which
is never a pass: exit 0 only when every invariant holds.`,
      );
  },
  schema: z.object({ history: z.string().optional(), json: z.boolean() }),
  async run(opts, ctx) {
    const state = readState(ctx.dir);
    if (!state || !pidAlive(state.supervisor.pid))
      throw new EnvironmentError(`no stack is running in ${ctx.dir}: start one with \`ecom up\``);
    const checkCtx = await checkContextFor(state, opts.history);
    try {
      const report = await runCheckers(CHECKERS, checkCtx);
      if (opts.json) ctx.out.write(JSON.stringify(report, null, 2) + '\n');
      else {
        ctx.out.write(
          formatTable(
            ['invariant', 'holds', 'checked', 'violations'],
            report.invariants.map((i) => [
              i.name,
              i.ok === true ? 'yes' : i.ok === 'unknown' ? 'UNKNOWN' : 'NO',
              i.checked,
              i.violations.length,
            ]),
          ),
        );
        for (const i of report.invariants) {
          for (const v of i.violations)
            ctx.out.write(`  ${i.name}: ${v.subject}: expected ${v.expected}, found ${v.found}\n`);
          for (const n of i.notes ?? []) ctx.out.write(`  ${i.name}: ${n}\n`);
        }
      }
      return report.ok ? ExitCode.ok : ExitCode.violation;
    } finally {
      await checkCtx.primary.end();
    }
  },
});
