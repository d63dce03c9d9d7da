import { FAULTS } from '../../chaos/faults/index.js';
import { defineCommand } from '../command.js';
import { collect, ExperimentFlags, runExperimentCommand } from '../experiment-command.js';

export default defineCommand({
  name: 'chaos',
  summary: 'run a scenario under a fault schedule, heal, wait for quiescence, then check every invariant',
  configure(cmd) {
    cmd
      .option(
        '--fault <spec>',
        'kind:key=value,... e.g. zk-partition:target=inventory-1,at=5s,for=10s (repeatable)',
        collect,
        [],
      )
      .option('--scenario <name|file>', 'the load to run while faults play', 'steady-mix')
      .option('--rate <r>', 'arrivals per second')
      .option('--duration <d>', 'how long the load runs, e.g. 30s')
      .option('--threshold <expr>', 'a threshold that must hold (repeatable)', collect, [])
      .option('--report <file>', 'write the JSON report to this file')
      .option('--html <file>', 'write the HTML report (fault windows shaded) to this file')
      .option('--json', 'print the JSON report on stdout', false)
      .option('--no-tui', 'no live view: progress lines on stderr (CI)')
      .option('--seed <n>', 'replay a run')
      .addHelpText(
        'after',
        `
Faults (every one takes at=DURATION (default 0s) and for=DURATION (default 10s)):
${FAULTS.map((f) => `  ${f.kind.padEnd(22)} ${f.description}\n  ${''.padEnd(22)} ${f.usage}`).join('\n')}

Every fault is healed when its time is up — and always before the checks, also when the run
fails or is interrupted. Then the command waits until no order or payment is in flight and runs
every invariant checker. Exit 1 on any violation or failed threshold; 2 on a bad fault spec.

Examples:
  ecom chaos --fault zk-partition:target=inventory-1,at=5s,for=10s
  ecom chaos --scenario flash-sale --fault kill:target=orders-1,at=3s,for=5s --fault gateway-errors:rate=0.3,at=0s,for=20s`,
      );
  },
  schema: ExperimentFlags,
  run: (opts, ctx) => runExperimentCommand({ ...opts, verify: true }, ctx),
});
