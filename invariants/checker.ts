import type { Pool } from 'mysql2/promise';
import type { HistoryMeta, Operation } from '../scenarios/history.js';
import type { CheckResult, InvariantName } from './types.js';

/** What a checker may read: the stores (through the primary) and, when there is one, the run history. */
export interface CheckContext {
  /** A pool on the primary with read access to every service database (qualify tables: inventory.stock). */
  primary: Pool;
  history?: { meta: HistoryMeta; operations: Operation[] };
  /** Faults that were active during the run (seconds since its start), e.g. to excuse a fail-open limiter while Redis was down. */
  faultWindows?: { kind: string; fromSeconds: number; toSeconds: number }[];
  /** Per-service config of the stack (limits, TTLs), keyed by service name. */
  serviceConfig: Record<string, Record<string, unknown>>;
  now(): Date;
}

/** One invariant's checker (Jepsen's checker): reads, judges, returns data. */
export interface Checker {
  name: InvariantName;
  /** One line on what it proves. */
  description: string;
  check(ctx: CheckContext): Promise<Omit<CheckResult, 'name'>>;
}

/** Most violations listed per checker; the count is always complete. */
export const MAX_LISTED = 50;

/** Builds a result from violations found among `checked` items. */
export function result(
  checked: number,
  violations: CheckResult['violations'],
  notes?: string[],
): Omit<CheckResult, 'name'> {
  return {
    ok: violations.length === 0,
    checked,
    violations: violations.slice(0, MAX_LISTED),
    ...(violations.length > MAX_LISTED || notes
      ? {
          notes: [
            ...(notes ?? []),
            ...(violations.length > MAX_LISTED
              ? [`${violations.length} violations, first ${MAX_LISTED} listed`]
              : []),
          ],
        }
      : {}),
  };
}

/**
 * Runs checkers one after another. A checker that throws is reported as ok "unknown" with the
 * error as a note — never as a pass.
 */
export async function runCheckers(
  checkers: Checker[],
  ctx: CheckContext,
): Promise<{ ok: boolean; invariants: CheckResult[] }> {
  const invariants: CheckResult[] = [];
  for (const c of checkers) {
    try {
      invariants.push({ name: c.name, ...(await c.check(ctx)) });
    } catch (err) {
      invariants.push({
        name: c.name,
        ok: 'unknown',
        checked: 0,
        violations: [],
        notes: [`checker failed: ${(err as Error).message}`],
      });
    }
  }
  return { ok: invariants.every((i) => i.ok === true), invariants };
}

/** The result of a checker that judges the run history when there is none: unknown, never a pass. */
export function noHistory(): Omit<CheckResult, 'name'> {
  return { ok: 'unknown', checked: 0, violations: [], notes: ['no run history: run `ecom simulate` first'] };
}
