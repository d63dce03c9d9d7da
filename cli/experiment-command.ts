import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { FaultSpecError } from '../chaos/fault.js';
import { planFaults } from '../chaos/schedule.js';
import { parseDuration } from '../scenarios/duration.js';
import { renderHtmlReport } from '../scenarios/html/render.js';
import { loadScenario, ScenarioError } from '../scenarios/load.js';
import { newSeed } from '../scenarios/random.js';
import type { RunReport } from '../scenarios/report.js';
import type { Scenario } from '../scenarios/schema.js';
import { formatSummary } from '../scenarios/summary.js';
import { parseThreshold } from '../scenarios/thresholds.js';
import { pidAlive, readState } from '../stack/state.js';
import type { CliContext } from './command.js';
import { EnvironmentError, ExitCode, UsageError, type ExitCode as Code } from './exit.js';
import { runExperiment } from './experiment.js';
import { runDisplay } from './ui/run-view.js';

/** Flags shared by `ecom simulate` and `ecom chaos`. */
export const ExperimentFlags = z.object({
  scenario: z.string().min(1),
  rate: z.coerce.number().positive().max(100_000).optional(),
  duration: z
    .string()
    .optional()
    .refine((d) => d === undefined || parseDuration(d) !== null, { message: 'a duration like 30s or 2m' }),
  threshold: z.array(z.string()).default([]),
  report: z.string().optional(),
  html: z.string().optional(),
  json: z.boolean().default(false),
  tui: z.boolean().default(true),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  verify: z.boolean().default(true),
  fault: z.array(z.string()).default([]),
});
export type ExperimentFlags = z.output<typeof ExperimentFlags>;

/** Repeatable option collector for commander. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Applies --rate and --duration to a scenario's executor (k6's overrides). */
export function withOverrides(s: Scenario, flags: Pick<ExperimentFlags, 'rate' | 'duration'>): Scenario {
  const duration = flags.duration === undefined ? undefined : parseDuration(flags.duration)!;
  const e = s.executor;
  if (e.type === 'constant-vus') {
    if (flags.rate !== undefined)
      throw new UsageError(
        `--rate: scenario ${s.name} runs a closed model (constant-vus); it has no arrival rate`,
      );
    return { ...s, executor: { ...e, duration: duration ?? e.duration } };
  }
  if (e.type === 'constant-arrival-rate')
    return { ...s, executor: { ...e, rate: flags.rate ?? e.rate, duration: duration ?? e.duration } };
  // Ramping: --rate scales every stage so the peak equals it; --duration stretches the stages.
  const peak = Math.max(e.startRate, ...e.stages.map((st) => st.target));
  const rateScale = flags.rate !== undefined && peak > 0 ? flags.rate / peak : 1;
  const total = e.stages.reduce((a, st) => a + st.duration, 0);
  const timeScale = duration !== undefined && total > 0 ? duration / total : 1;
  return {
    ...s,
    executor: {
      ...e,
      startRate: e.startRate * rateScale,
      stages: e.stages.map((st) => ({
        target: st.target * rateScale,
        duration: Math.round(st.duration * timeScale),
      })),
    },
  };
}

/**
 * The body of `ecom simulate` and `ecom chaos`: validates everything up front (exit 2 naming the
 * flag or field), runs the experiment with a live view, prints the summary (or the JSON report),
 * writes --report/--html, and exits 1 when a threshold failed or an invariant was violated.
 */
export async function runExperimentCommand(flags: ExperimentFlags, ctx: CliContext): Promise<Code> {
  let scenario: Scenario;
  try {
    scenario = withOverrides(loadScenario(flags.scenario), flags);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message);
    throw err;
  }
  flags.threshold.forEach((t, i) => {
    try {
      parseThreshold(t);
    } catch (err) {
      throw new UsageError(`--threshold #${i + 1}: ${(err as Error).message}`);
    }
  });
  const state = readState(ctx.dir);
  if (!state || !pidAlive(state.supervisor.pid))
    throw new EnvironmentError(`no stack is running in ${ctx.dir}: start one with \`ecom up\``);
  try {
    planFaults(flags.fault, state);
  } catch (err) {
    if (err instanceof FaultSpecError) throw new UsageError(`--fault: ${err.message}`);
    throw err;
  }
  const seed = flags.seed ?? newSeed();
  ctx.err.write(`${scenario.name}: seed ${seed} (replay with --seed ${seed})\n`);
  const display = runDisplay(
    `ecom ${flags.fault.length > 0 ? 'chaos' : 'simulate'} · ${scenario.name}`,
    ctx.interactive && flags.tui && !flags.json,
    ctx.err,
  );
  let report: RunReport;
  try {
    report = await runExperiment({
      state,
      scenario,
      seed,
      faults: flags.fault,
      thresholds: flags.threshold,
      verify: flags.verify,
      logger: ctx.logger,
      signal: ctx.signal,
      onSetup: (p) => {
        if (!ctx.interactive && (p.done === p.total || p.done % 1000 === 0))
          ctx.err.write(`  preparing ${p.phase}: ${p.done}/${p.total}\n`);
      },
      onPhase: (phase) => {
        if (phase !== 'running' && phase !== 'preparing') ctx.err.write(`  ${phase}…\n`);
      },
      onProgress: (p) => display.update(p),
    });
  } finally {
    display.done();
  }
  if (flags.report) writeFileSync(flags.report, JSON.stringify(report, null, 2) + '\n');
  if (flags.html) writeFileSync(flags.html, renderHtmlReport(report));
  if (flags.json) ctx.out.write(JSON.stringify(report, null, 2) + '\n');
  else ctx.out.write(formatSummary(report));
  const failed =
    report.thresholds.some((t) => !t.ok) || (report.invariants !== undefined && !report.invariants.ok);
  return failed ? ExitCode.violation : ExitCode.ok;
}
