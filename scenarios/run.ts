import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { HistoryMeta } from './history.js';
import { HistoryWriter } from './history.js';
import { evaluateThresholds } from './evaluate.js';
import { execute } from './executor.js';
import { Planner, type Clients } from './planner.js';
import type { Population } from './population.js';
import { createRandom } from './random.js';
import type { FaultWindow, RunReport } from './report.js';
import { executorDurationMs, type Scenario } from './schema.js';
import { RunStats } from './stats.js';

/** Live view of a run for progress displays. */
export interface RunProgress {
  elapsedMs: number;
  totalMs: number;
  stats: RunStats;
}

export interface RunOptions {
  scenario: Scenario;
  seed: number;
  /** Where runs/<runId>/ goes (the stack folder). */
  dir: string;
  clients: Clients;
  /** Seeds what the scenario needs (buyers, this run's catalogue); gets the run id for naming. */
  prepare(runId: string): Promise<Population>;
  /** Extra thresholds (from --threshold flags). */
  thresholds?: string[];
  /** Fault windows to mark (from `ecom chaos`); filled while the run goes on. */
  faults?: FaultWindow[];
  /** Called when t = 0 is set (chaos starts its schedule from it). */
  onStart?(t0: { epochMs: number; now: () => number }): void;
  onProgress?(p: RunProgress): void;
  signal?: AbortSignal;
  extraMeta?: Record<string, unknown>;
}

/** Send lag (p99) beyond which the generator, not the system, set the pace. */
const GENERATOR_LAG_MS = 50;

/**
 * Runs a scenario as load against a stack: prepares its data, runs the executor while recording
 * the history, and builds the report (counts, latencies, thresholds) from the live statistics.
 */
export async function runScenario(o: RunOptions): Promise<{ report: RunReport; runDir: string }> {
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${randomBytes(2).toString('hex')}`;
  const runDir = join(o.dir, 'runs', runId);
  mkdirSync(runDir, { recursive: true });
  const population = await o.prepare(runId);

  const rand = createRandom(o.seed);
  const planner = new Planner(o.scenario, population, rand, runId);
  const stats = new RunStats();
  const historyFile = join(runDir, 'history.jsonl');
  const startedAtMs = Date.now();
  const meta: HistoryMeta = {
    type: 'meta',
    version: 1,
    runId,
    scenario: o.scenario.name,
    seed: o.seed,
    startedAtMs,
    stackDir: o.dir,
    extra: { ...o.extraMeta, skus: population.skus.length, buyers: population.buyers.length },
  };
  const history = new HistoryWriter(historyFile, meta);
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  o.onStart?.({ epochMs: startedAtMs, now });
  const totalMs = executorDurationMs(o.scenario.executor);
  const ticker = setInterval(() => o.onProgress?.({ elapsedMs: now(), totalMs, stats }), 250);
  try {
    await execute({
      scenario: o.scenario,
      planner,
      clients: o.clients,
      history,
      stats,
      now,
      signal: o.signal,
    });
  } finally {
    clearInterval(ticker);
    await history.close();
  }
  const durationSeconds = now() / 1000;
  o.onProgress?.({ elapsedMs: now(), totalMs, stats });

  const e = o.scenario.executor;
  const lag = stats.sendLagP99();
  const report: RunReport = {
    scenario: o.scenario.name,
    runId,
    seed: o.seed,
    startedAt: new Date(startedAtMs).toISOString(),
    durationSeconds: Math.round(durationSeconds * 1000) / 1000,
    historyFile,
    executor: {
      type: e.type,
      ...(e.type === 'constant-arrival-rate' ? { targetRate: e.rate, maxInFlight: e.maxInFlight } : {}),
      ...(e.type === 'ramping-arrival-rate'
        ? { targetRate: Math.max(...e.stages.map((s) => s.target)), maxInFlight: e.maxInFlight }
        : {}),
      ...(e.type === 'constant-vus' ? { vus: e.vus } : {}),
    },
    orders: { ...stats.orders, rejectReasons: { ...stats.rejectReasons } },
    throughputPerSecond: round(stats.completedCount / durationSeconds),
    confirmedPerSecond: round(stats.orders.confirmed / durationSeconds),
    latencyMs: stats.latency(),
    operations: stats.operationsReport(),
    iterations: {
      started: stats.startedCount,
      completed: stats.completedCount,
      dropped: stats.droppedCount,
      sendLagP99Ms: Math.round(lag * 10) / 10,
    },
    thresholds: evaluateThresholds(
      [...o.scenario.thresholds, ...(o.thresholds ?? [])],
      stats,
      durationSeconds,
    ),
    faults: o.faults ?? [],
    timeline: stats.timelineReport(),
    ...(lag > GENERATOR_LAG_MS
      ? {
          generatorLimited: `the load generator sent operations late (send lag p99 ${lag.toFixed(0)} ms): the machine, not only the stack, limited this run`,
        }
      : {}),
  };
  writeReport(runDir, report);
  writeFileSync(join(o.dir, 'runs', 'latest.json'), JSON.stringify({ runId, runDir, historyFile }) + '\n');
  return { report, runDir };
}

/** (Re)writes runs/<runId>/report.json. */
export function writeReport(runDir: string, report: RunReport): void {
  writeFileSync(join(runDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
}

const round = (v: number) => Math.round(v * 100) / 100;
