import fc from 'fast-check';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { createLogger } from '../../platform/logger.js';
import { toxiproxyClient } from '../../chaos/proxy/index.js';
import { stackStatus } from '../../stack/status.js';
import type { StartedStack } from '../../stack/start.js';
import { runExperiment } from '../../cli/experiment.js';
import type { RunReport } from '../../scenarios/report.js';
import { FAULT_ARBITRARIES, faultsArb, gateScenario, paramsArb, type GateParams } from './arbitraries.js';

/** One gate case: scenario parameters and a fault schedule. */
export interface GateCase {
  params: GateParams;
  faults: string[];
}

export interface GateOptions {
  stack: StartedStack;
  /** Random cases after the fixed ones. */
  runs: number;
  seed?: number;
  /** Also run one fixed case per fault kind first (the short gate's coverage of every fault). */
  everyFaultKind: boolean;
  log?: (line: string) => void;
}

/** A small, fast case used for the fixed examples. */
export const BASE_PARAMS: GateParams = {
  skus: 2,
  warehouses: 2,
  stockPerSku: 20,
  buyers: 40,
  rate: 40,
  durationS: 5,
  popularity: 'hot',
  quantityMax: 2,
  decline: 0.1,
  timeout: 0.02,
};

/** Databases whose rows a case creates; emptied between cases (users stay: buyers are reused). */
const CASE_DATABASES = ['orders', 'payments', 'gateway', 'inventory', 'analytics'];

/**
 * Resets the stack between cases: removes every toxic and partition, resumes paused processes,
 * starts stopped ones, and empties the domain tables so each case is judged on its own data (a
 * violation left by one case must not fail every later one, or shrinking would chase a ghost).
 */
export async function resetStack(stack: StartedStack): Promise<void> {
  if (stack.state.faultProxy) await toxiproxyClient(`http://${stack.state.faultProxy}`).reset();
  const state = await stack.control.state();
  for (const c of state.components) await stack.control.signal(c.name, 'SIGCONT').catch(() => undefined);
  const status = await stackStatus(state);
  for (const c of status.components.filter((x) => !x.healthy)) await stack.control.start(c.name);
  const conn = await createConnection({ ...state.infra.mysqlPrimary, ...state.mysql });
  try {
    const [tables] = await conn.query<RowDataPacket[]>(
      "SELECT table_schema AS db, table_name AS t FROM information_schema.tables WHERE table_schema IN (?) AND table_name <> 'schema_migrations'",
      [CASE_DATABASES],
    );
    for (const { db, t } of tables) await conn.query(`TRUNCATE TABLE \`${db}\`.\`${t}\``);
  } finally {
    await conn.end();
  }
}

/**
 * The property gate: for generated scenario parameters and fault schedules, a run on the real
 * stack leaves every invariant holding. A failure reports the seed, the shrunk counterexample and
 * the history file of the failing run (kept on disk).
 */
export async function runGate(o: GateOptions): Promise<fc.RunDetails<[GateParams, string[]]>> {
  const logger = createLogger({ component: 'gate', level: 'warn' });
  const failures: { c: GateCase; report: RunReport }[] = [];
  let n = 0;
  const property = fc.asyncProperty(paramsArb, faultsArb, async (params, faults) => {
    n += 1;
    await resetStack(o.stack);
    const state = await o.stack.control.state();
    const report = await runExperiment({
      state,
      scenario: gateScenario(params),
      seed: n,
      faults,
      verify: true,
      quiescenceTimeoutMs: 60_000,
      logger,
    });
    const bad = report.invariants?.invariants.filter((i) => i.ok !== true) ?? [];
    o.log?.(
      `case ${n}: ${faults.join(' + ')} | ${report.orders.attempted} orders, ${report.orders.confirmed} confirmed, ` +
        `settled in ${report.settledInSeconds ?? '?'} s | ` +
        (bad.length === 0
          ? 'every invariant holds'
          : `VIOLATED: ${bad.map((b) => b.name).join(', ')} (history ${report.historyFile})`),
    );
    if (bad.length > 0) {
      failures.push({ c: { params, faults }, report });
      return false;
    }
    return true;
  });
  const examples: [GateParams, string[]][] = o.everyFaultKind
    ? Object.values(FAULT_ARBITRARIES).map(
        (arb, i) => [BASE_PARAMS, fc.sample(arb, { numRuns: 1, seed: i + 1 })] as [GateParams, string[]],
      )
    : [];
  return fc.check(property, {
    // Examples count towards numRuns (they run first).
    numRuns: examples.length + o.runs,
    examples,
    seed: o.seed,
    // Each case is a real run of several seconds: keep shrinking short.
    interruptAfterTimeLimit: 15 * 60_000,
    markInterruptAsFailure: false,
    endOnFailure: false,
  });
}
