import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { Logger } from '../platform/logger.js';
import { planFaults, runSchedule, type RunningSchedule } from '../chaos/schedule.js';
import { waitForQuiescence } from '../chaos/quiescence.js';
import { runCheckers } from '../invariants/checker.js';
import { checkContextFor } from '../invariants/context.js';
import { CHECKERS } from '../invariants/index.js';
import { createClients } from '../scenarios/clients.js';
import type { FaultWindow, RunReport } from '../scenarios/report.js';
import { runScenario, writeReport, type RunProgress } from '../scenarios/run.js';
import type { Scenario } from '../scenarios/schema.js';
import { preparePopulation, type SetupProgress } from '../scenarios/setup.js';
import { stackControl } from '../stack/control-client.js';
import type { StackState } from '../stack/types.js';

/** One experiment: a scenario as load, optionally under a fault schedule, judged by the checkers. */
export interface ExperimentOptions {
  state: StackState;
  scenario: Scenario;
  seed: number;
  /** Fault specs (`kind:target=…,at=5s,for=10s`); validated before anything starts. */
  faults?: string[];
  thresholds?: string[];
  /** Run the invariant checkers at the end (after healing and quiescence). */
  verify: boolean;
  /** Longest wait for in-flight sagas and payments after the load. */
  quiescenceTimeoutMs?: number;
  logger: Logger;
  signal?: AbortSignal;
  onSetup?(p: SetupProgress): void;
  onProgress?(p: RunProgress): void;
  onPhase?(phase: 'preparing' | 'running' | 'healing' | 'settling' | 'verifying'): void;
}

/** Addresses of every instance of a service in the stack. */
export function addressesOf(state: StackState, service: string): string[] {
  return state.components.filter((c) => c.service === service).map((c) => c.endpoint);
}

/**
 * Runs an experiment end to end: seeds what the scenario needs, runs the load while the fault
 * schedule plays, heals every fault (always, even on failure), waits for quiescence, runs every
 * checker, and returns the report (also written to runs/<id>/report.json).
 */
export async function runExperiment(o: ExperimentOptions): Promise<RunReport> {
  const planned = planFaults(o.faults ?? [], o.state);
  const clients = createClients(
    {
      orders: addressesOf(o.state, 'orders'),
      inventory: addressesOf(o.state, 'inventory'),
      users: addressesOf(o.state, 'users'),
    },
    o.scenario.timeout,
  );
  const windows: FaultWindow[] = [];
  let schedule: RunningSchedule | undefined;
  const faultCtx = {
    state: o.state,
    control: stackControl(o.state),
    proxyUrl: o.state.faultProxy ? `http://${o.state.faultProxy}` : undefined,
    logger: o.logger,
    mysql: (which: 'primary' | 'replica') =>
      createConnection({
        ...(which === 'primary' ? o.state.infra.mysqlPrimary : o.state.infra.mysqlReplica),
        ...o.state.mysql,
      }),
  };
  let result: { report: RunReport; runDir: string };
  try {
    o.onPhase?.('preparing');
    result = await runScenario({
      scenario: o.scenario,
      seed: o.seed,
      dir: o.state.dir,
      clients,
      thresholds: o.thresholds,
      faults: windows,
      extraMeta: {
        stackStartedAt: o.state.startedAt,
        lockStrategy: o.state.options.lockStrategy,
        faults: o.faults ?? [],
      },
      prepare: (runId) =>
        preparePopulation(o.scenario, clients, runId, {
          cacheFile: join(o.state.dir, 'seed', 'buyers.json'),
          stackStartedAt: o.state.startedAt,
          onProgress: o.onSetup,
        }),
      onStart: ({ now }) => {
        o.onPhase?.('running');
        schedule = runSchedule(planned, faultCtx, now, o.logger, windows);
      },
      onProgress: o.onProgress,
      signal: o.signal,
    });
  } finally {
    o.onPhase?.('healing');
    await schedule?.healAll();
    clients.close();
  }
  const { report, runDir } = result;
  if (!o.verify) return report;

  const ctx = await checkContextFor(o.state, report.historyFile);
  try {
    o.onPhase?.('settling');
    const quiet = await waitForQuiescence(ctx.primary, {
      timeoutMs: o.quiescenceTimeoutMs ?? 60_000,
      signal: o.signal,
    });
    report.settledInSeconds = Math.round(quiet.waitedMs / 100) / 10;
    o.onPhase?.('verifying');
    report.invariants = await runCheckers(CHECKERS, { ...ctx, faultWindows: windows });
  } finally {
    await ctx.primary.end();
  }
  writeReport(runDir, report);
  return report;
}
