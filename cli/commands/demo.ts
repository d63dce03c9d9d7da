import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { renderHtmlReport } from '../../scenarios/html/render.js';
import { loadScenario } from '../../scenarios/load.js';
import { newSeed } from '../../scenarios/random.js';
import { formatSummary } from '../../scenarios/summary.js';
import { checkRequirements, installDebianPackages, packagesToInstall } from '../../stack/requirements.js';
import { startStack } from '../../stack/start.js';
import { stackStatus } from '../../stack/status.js';
import { defineCommand } from '../command.js';
import { EnvironmentError, ExitCode } from '../exit.js';
import { runExperiment } from '../experiment.js';
import { progressDisplay } from '../ui/progress.js';
import { runDisplay } from '../ui/run-view.js';
import { printStatus } from '../ui/status-table.js';

/** The fault the demo plays during the sale: one inventory instance cut off from ZooKeeper. */
export const DEMO_FAULT = 'zk-partition:target=inventory-1,at=4s,for=8s';

export default defineCommand({
  name: 'demo',
  summary: 'see ecom work end to end: up, a flash sale under a fault, every invariant checked, report, down',
  configure(cmd) {
    cmd.option('--seed <n>', 'replay a demo run').addHelpText(
      'after',
      `
Runs on a fresh Debian machine: as root it first installs the missing Debian packages (what
\`ecom doctor --fix\` does). Then it starts its own stack (2 orders and 2 inventory instances),
runs the flash-sale scenario — 10,000 buyers after 1,000 units of one SKU — while one inventory
instance is cut off from ZooKeeper (${DEMO_FAULT}), heals the fault, waits for every
order to settle, checks every invariant, prints the summary, writes an HTML report, and stops the
stack (also on Ctrl-C). Exit 1 if an invariant was violated.`,
    );
  },
  schema: z.object({ seed: z.coerce.number().int().min(0).optional() }),
  async run(opts, ctx) {
    const missing = packagesToInstall(await checkRequirements('processes'));
    if (missing.length > 0) {
      if (process.getuid?.() !== 0)
        throw new EnvironmentError(
          `this machine lacks ${missing.join(', ')}: run \`sudo ecom doctor --fix\``,
        );
      ctx.err.write(`installing what the stack needs: ${missing.join(' ')}\n`);
      await installDebianPackages(missing, ctx.logger);
    }
    const progress = progressDisplay('starting the stack', ctx.interactive, ctx.err);
    const stack = await startStack(
      {
        dir: ctx.dir,
        runtime: 'processes',
        persistent: false,
        logLevel: 'warn',
        replicas: { orders: 2, inventory: 2 },
      },
      { onProgress: (c, s) => progress.update(c, s), signal: ctx.signal },
    ).finally(() => progress.done());
    try {
      ctx.err.write(`stack ready in ${((stack.state.startupMs ?? 0) / 1000).toFixed(1)} s\n`);
      printStatus(await stackStatus(stack.state), { json: false, out: ctx.err });
      const scenario = loadScenario('flash-sale');
      const seed = opts.seed ?? newSeed();
      ctx.err.write(`\nflash sale: ${scenario.description}\nfault: ${DEMO_FAULT}\nseed ${seed}\n`);
      const display = runDisplay('ecom demo · flash-sale', ctx.interactive, ctx.err);
      const report = await runExperiment({
        state: stack.state,
        scenario,
        seed,
        faults: [DEMO_FAULT],
        verify: true,
        logger: ctx.logger,
        signal: ctx.signal,
        onSetup: (p) => {
          if (p.done === p.total) ctx.err.write(`  seeded ${p.phase}: ${p.total}\n`);
        },
        onPhase: (phase) => ctx.err.write(`  ${phase}…\n`),
        onProgress: (p) => display.update(p),
      }).finally(() => display.done());
      ctx.out.write(formatSummary(report));
      const html = join(ctx.dir, 'runs', report.runId, 'report.html');
      writeFileSync(html, renderHtmlReport(report));
      ctx.out.write(`  HTML report: ${html}\n`);
      return report.invariants?.ok ? ExitCode.ok : ExitCode.violation;
    } finally {
      ctx.err.write('stopping the stack…\n');
      await stack.stop();
      ctx.err.write('stack stopped\n');
    }
  },
});
