import { arrivalSchedule } from '../arrivals.js';
import { formatDuration } from '../duration.js';
import type { Executor, Scenario } from '../schema.js';
import { holds, parseThreshold, type Threshold } from '../thresholds.js';

/** A scenario that cannot be expressed in k6; the message names what and why. */
export class K6ExportError extends Error {
  override name = 'K6ExportError';
}

/** One k6 scenario (an entry of `options.scenarios`), mapped one to one from our executor. */
export type K6Scenario =
  | {
      executor: 'constant-arrival-rate';
      rate: number;
      timeUnit: string;
      duration: string;
      preAllocatedVUs: number;
      maxVUs: number;
      gracefulStop: string;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate: number;
      timeUnit: string;
      stages: { target: number; duration: string }[];
      preAllocatedVUs: number;
      maxVUs: number;
      gracefulStop: string;
    }
  | { executor: 'constant-vus'; vus: number; duration: string; gracefulStop: string };

/** The `options` object of the exported script. */
export interface K6Options {
  scenarios: Record<string, K6Scenario>;
  thresholds: Record<string, string[]>;
  summaryTrendStats: string[];
}

/** Builds the k6 options of a scenario: its executor and its thresholds. */
export function k6Options(scenario: Scenario): K6Options {
  const thresholds: Record<string, string[]> = {};
  for (const expr of scenario.thresholds) {
    const { metric, condition } = k6Threshold(parseThreshold(expr), scenario.executor);
    (thresholds[metric] ??= []).push(condition);
  }
  return {
    scenarios: { [scenario.name]: k6Scenario(scenario.executor, scenario.timeout) },
    thresholds,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };
}

/**
 * Our executor as a k6 scenario. k6 wants integer rates per `timeUnit`, so a fractional rate
 * (2.5/s) becomes an integer per a longer unit (25 per 10s): the same arrivals, evenly spaced.
 * `maxInFlight` is k6's `maxVUs` (an arrival that finds every VU busy is a dropped iteration in
 * both); `preAllocatedVUs` covers one second of the peak rate. `gracefulStop` lets in-flight calls
 * reach their deadline, as our runner waits for them.
 */
export function k6Scenario(e: Executor, timeoutMs: number): K6Scenario {
  const gracefulStop = formatDuration(Math.ceil(timeoutMs / 1000) * 1000 + 1000);
  if (e.type === 'constant-vus') {
    return { executor: 'constant-vus', vus: e.vus, duration: formatDuration(e.duration), gracefulStop };
  }
  const rates =
    e.type === 'constant-arrival-rate' ? [e.rate] : [e.startRate, ...e.stages.map((s) => s.target)];
  const unit = timeUnitSeconds(rates);
  const perUnit = (r: number) => Math.round(r * unit);
  const preAllocatedVUs = Math.min(e.maxInFlight, Math.max(1, Math.ceil(Math.max(...rates))));
  const timeUnit = `${unit}s`;
  if (e.type === 'constant-arrival-rate') {
    return {
      executor: 'constant-arrival-rate',
      rate: perUnit(e.rate),
      timeUnit,
      duration: formatDuration(e.duration),
      preAllocatedVUs,
      maxVUs: e.maxInFlight,
      gracefulStop,
    };
  }
  return {
    executor: 'ramping-arrival-rate',
    startRate: perUnit(e.startRate),
    timeUnit,
    stages: e.stages.map((s) => ({ target: perUnit(s.target), duration: formatDuration(s.duration) })),
    preAllocatedVUs,
    maxVUs: e.maxInFlight,
    gracefulStop,
  };
}

/** The smallest of 1, 10, 100, 1000 seconds in which every rate is a whole number of arrivals. */
function timeUnitSeconds(rates: number[]): number {
  return [1, 10, 100].find((u) => rates.every((r) => Math.abs(r * u - Math.round(r * u)) < 1e-9)) ?? 1000;
}

/**
 * One threshold in k6's syntax. Latencies go to `grpc_req_duration` (per operation through the
 * `op` tag every call carries); `errors` is the script's Rate of calls that did not return OK
 * (fail and info, as our runner counts it); `confirmed` its Counter of confirmed orders;
 * throughput is `iterations` per second (per operation: the script's `ops` Counter); `dropped`, a
 * share of arrivals for us, is a Counter in k6, so the share becomes a count of the arrivals the
 * executor schedules.
 */
export function k6Threshold(t: Threshold, e: Executor): { metric: string; condition: string } {
  const tag = t.op ? `{op:${t.op}}` : '';
  const cmp = t.comparator;
  switch (t.metric) {
    case 'percentile':
      return { metric: `grpc_req_duration${tag}`, condition: `p(${t.percentile})${cmp}${num(t.value)}` };
    case 'max':
      return { metric: `grpc_req_duration${tag}`, condition: `max${cmp}${num(t.value)}` };
    case 'mean':
      return { metric: `grpc_req_duration${tag}`, condition: `avg${cmp}${num(t.value)}` };
    case 'errors':
      return { metric: `errors${tag}`, condition: `rate${cmp}${num(t.value)}` };
    case 'confirmed':
      return { metric: 'confirmed', condition: `count${cmp}${num(t.value)}` };
    case 'throughput':
      return t.op
        ? { metric: `ops${tag}`, condition: `rate${cmp}${num(t.value)}` }
        : { metric: 'iterations', condition: `rate${cmp}${num(t.value)}` };
    case 'dropped': {
      if (t.op) {
        throw new K6ExportError(
          `threshold "${t.expr}": dropped iterations belong to no operation (the operation is chosen inside the iteration); write dropped<…% without "${t.op}."`,
        );
      }
      // A closed model drops nothing: the threshold holds or fails whatever happens; k6 agrees.
      if (e.type === 'constant-vus') {
        return { metric: 'dropped_iterations', condition: holds(t, 0) ? 'count>=0' : 'count<0' };
      }
      return {
        metric: 'dropped_iterations',
        condition: `count${cmp}${num(t.value * arrivalSchedule(e).total)}`,
      };
    }
  }
}

/** A threshold number without float noise (0.01 × 3000 → 30). */
function num(n: number): string {
  return String(Number(n.toFixed(6)));
}
