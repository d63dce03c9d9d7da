import type { CheckResult } from '../invariants/types.js';
import type { OpName } from './schema.js';

/** Latency percentiles in ms. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** One second of a run (or one bucket): what started, completed and how fast. */
export interface TimelineBucket {
  /** Seconds since the start of the run. */
  t: number;
  started: number;
  completed: number;
  ok: number;
  fail: number;
  info: number;
  dropped: number;
  confirmed: number;
  p50: number;
  p99: number;
}

/** A fault that was active during the run (from `ecom chaos`). */
export interface FaultWindow {
  spec: string;
  kind: string;
  target: string;
  /** Seconds since the start of the run. */
  fromSeconds: number;
  toSeconds: number;
  description?: string;
}

/**
 * The run report: the JSON of the CLI contract (`ecom simulate --json`, `--report FILE`) with
 * extra fields. Every count is derived from the recorded history.
 */
export interface RunReport {
  scenario: string;
  runId: string;
  seed: number;
  startedAt: string;
  durationSeconds: number;
  historyFile: string;
  executor: { type: string; targetRate?: number; vus?: number; maxInFlight?: number };
  orders: {
    attempted: number;
    confirmed: number;
    rejected: number;
    /** Definite failures: the order was not placed. */
    failed: number;
    /** Outcome unknown (deadline, connection lost): counted neither as success nor failure. */
    ambiguous: number;
    /** Acknowledged while the saga was still running. */
    pending: number;
    rejectReasons: Record<string, number>;
  };
  /** Completed operations per second (all kinds). */
  throughputPerSecond: number;
  confirmedPerSecond: number;
  /** Over every operation. */
  latencyMs: LatencySummary;
  operations: Partial<
    Record<OpName, { count: number; ok: number; fail: number; info: number; latencyMs: LatencySummary }>
  >;
  /** sendLagP99Ms: how late (p99) operations were sent against their intended start — the generator's own delay. */
  iterations: { started: number; completed: number; dropped: number; sendLagP99Ms: number };
  thresholds: { expr: string; ok: boolean; actual?: number }[];
  faults: FaultWindow[];
  invariants?: { ok: boolean; invariants: CheckResult[] };
  /** After the load and the heals: how long until no order, payment or refund was in flight (convergence). */
  settledInSeconds?: number;
  timeline: TimelineBucket[];
  /** Set when the load generator could not keep up (the run measured the client, not the stack). */
  generatorLimited?: string;
}
