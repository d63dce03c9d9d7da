import { defineCommand } from '../command.js';
import { collect, ExperimentFlags, runExperimentCommand } from '../experiment-command.js';

export default defineCommand({
  name: 'simulate',
  summary: 'replay a traffic scenario as load against the running stack, then check every invariant',
  configure(cmd) {
    cmd
      .requiredOption(
        '--scenario <name|file>',
        'a builtin scenario (flash-sale, flash-sale-full, steady-mix, black-friday, payment-storm) or a YAML file',
      )
      .option('--rate <r>', 'arrivals per second (arrival-rate executors; scales the peak of a ramp)')
      .option('--duration <d>', 'how long the load runs, e.g. 30s or 2m (stretches the stages of a ramp)')
      .option(
        '--threshold <expr>',
        'a threshold that must hold, e.g. p99<200ms, place-order.p95<300ms, errors<1% (repeatable)',
        collect,
        [],
      )
      .option('--report <file>', 'write the JSON report to this file')
      .option('--html <file>', 'write a self-contained HTML report with charts to this file')
      .option('--json', 'print the JSON report on stdout (and nothing else there)', false)
      .option('--no-tui', 'no live view: print a progress line to stderr every few seconds (CI)')
      .option('--seed <n>', 'replay a run: the same seed makes the same sequence of operations')
      .option('--no-verify', 'skip the invariant checks at the end')
      .addHelpText(
        'after',
        `
Executors follow k6: constant-arrival-rate and ramping-arrival-rate are open models (arrivals do
not wait for responses; when maxInFlight iterations are running, new arrivals are dropped and
counted); constant-vus is a closed model. Latencies are measured from each operation's intended
start, so queueing is never hidden (no coordinated omission).

Every operation is recorded in runs/<run>/history.jsonl (invoke, then ok / fail / info); outcomes
that are unknown (deadline exceeded, connection lost) are "info" and count neither as success nor
failure. At the end the run waits for in-flight orders to settle and runs every invariant checker.

Exit 1 when a threshold failed or an invariant was violated; 2 on a bad flag or scenario file;
3 when no stack is running.

Examples:
  ecom simulate --scenario flash-sale
  ecom simulate --scenario steady-mix --rate 200 --duration 2m --threshold 'p99<300ms' --html run.html
  ecom simulate --scenario my-scenario.yaml --no-tui --report report.json`,
      );
  },
  schema: ExperimentFlags,
  run: (opts, ctx) => runExperimentCommand(opts, ctx),
});
