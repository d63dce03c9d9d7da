import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinScenarios, loadScenario } from '../load.js';
import { Scenario, type ScenarioInput } from '../schema.js';
import { K6ExportError } from './options.js';
import { exportK6 } from './script.js';

const dir = mkdtempSync(join(tmpdir(), 'ecom-k6-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: ScenarioInput = {
  name: 'k6-mapping',
  catalogue: { skus: 10, stockPerSku: 100 },
  users: { count: 10 },
  mix: { 'place-order': 1 },
  executor: { type: 'constant-arrival-rate', rate: 100, duration: '60s', maxInFlight: 500 },
};
const scenario = (over: Partial<ScenarioInput>) => Scenario.parse({ ...base, ...over });

/** The `options` the script exports, read back from its JSON literal. */
function optionsOf(script: string): {
  scenarios: Record<string, unknown>;
  thresholds: Record<string, string[]>;
} {
  const m = /^export const options = (\{[\s\S]*?^\});$/m.exec(script);
  if (!m?.[1]) throw new Error('no `export const options = {...};` in the script');
  return JSON.parse(m[1]) as { scenarios: Record<string, unknown>; thresholds: Record<string, string[]> };
}

/** `node --check` of the script as an ES module; throws with node's message on a syntax error. */
function checkParses(script: string, name: string): void {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, script);
  execFileSync(process.execPath, ['--check', file], { stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('k6 export: executors map one to one', () => {
  it('constant-arrival-rate → rate per 1s, duration, VUs (maxInFlight = maxVUs)', () => {
    expect(optionsOf(exportK6(scenario({}))).scenarios).toEqual({
      'k6-mapping': {
        executor: 'constant-arrival-rate',
        rate: 100,
        timeUnit: '1s',
        duration: '1m',
        preAllocatedVUs: 100,
        maxVUs: 500,
        gracefulStop: '6s',
      },
    });
  });

  it('ramping-arrival-rate → startRate and stages', () => {
    const s = scenario({
      executor: {
        type: 'ramping-arrival-rate',
        startRate: 20,
        stages: [
          { target: 300, duration: '30s' },
          { target: 300, duration: '1m' },
          { target: 0, duration: '1500ms' },
        ],
        maxInFlight: 2000,
      },
      timeout: '10s',
    });
    expect(optionsOf(exportK6(s)).scenarios).toEqual({
      'k6-mapping': {
        executor: 'ramping-arrival-rate',
        startRate: 20,
        timeUnit: '1s',
        stages: [
          { target: 300, duration: '30s' },
          { target: 300, duration: '1m' },
          { target: 0, duration: '1500ms' },
        ],
        preAllocatedVUs: 300,
        maxVUs: 2000,
        gracefulStop: '11s',
      },
    });
  });

  it('constant-vus → vus and duration', () => {
    const s = scenario({ executor: { type: 'constant-vus', vus: 20, duration: '2m' } });
    expect(optionsOf(exportK6(s)).scenarios).toEqual({
      'k6-mapping': { executor: 'constant-vus', vus: 20, duration: '2m', gracefulStop: '6s' },
    });
  });

  it('a fractional rate becomes whole arrivals per a longer time unit', () => {
    const s = scenario({
      executor: { type: 'constant-arrival-rate', rate: 2.5, duration: '10s', maxInFlight: 50 },
    });
    expect(optionsOf(exportK6(s)).scenarios['k6-mapping']).toMatchObject({
      rate: 25,
      timeUnit: '10s',
      preAllocatedVUs: 3,
    });
  });
});

describe('k6 export: thresholds map one to one', () => {
  it('maps every kind of threshold', () => {
    const s = scenario({
      thresholds: [
        'p99<200ms',
        'place-order.p95<300ms',
        'p50<=0.5s',
        'max<2s',
        'get-stock.mean<50ms',
        'errors<1%',
        'place-order.errors<=5%',
        'dropped<1%',
        'confirmed>0',
        'throughput>=90',
        'get-stock.throughput>10',
      ],
    });
    expect(optionsOf(exportK6(s)).thresholds).toEqual({
      grpc_req_duration: ['p(99)<200', 'p(50)<=500', 'max<2000'],
      'grpc_req_duration{op:place-order}': ['p(95)<300'],
      'grpc_req_duration{op:get-stock}': ['avg<50'],
      errors: ['rate<0.01'],
      'errors{op:place-order}': ['rate<=0.05'],
      // 1% of the 6,000 arrivals of 100/s over 60 s.
      dropped_iterations: ['count<60'],
      confirmed: ['count>0'],
      iterations: ['rate>=90'],
      'ops{op:get-stock}': ['rate>10'],
    });
  });

  it('counts dropped arrivals over the ramp (20→300→300→20 over 30 s stages = 18,600 arrivals)', () => {
    const s = scenario({
      executor: {
        type: 'ramping-arrival-rate',
        startRate: 20,
        stages: [
          { target: 300, duration: '30s' },
          { target: 300, duration: '30s' },
          { target: 20, duration: '30s' },
        ],
      },
      thresholds: ['dropped<1%'],
    });
    expect(optionsOf(exportK6(s)).thresholds).toEqual({ dropped_iterations: ['count<186'] });
    expect(exportK6(s)).toContain(
      'dropped<1%  →  dropped_iterations: count<186 (k6 counts dropped iterations',
    );
  });

  it('a closed model drops nothing: dropped thresholds become constant', () => {
    const s = scenario({
      executor: { type: 'constant-vus', vus: 2, duration: '5s' },
      thresholds: ['dropped<1%', 'dropped>1%'],
    });
    expect(optionsOf(exportK6(s)).thresholds).toEqual({ dropped_iterations: ['count>=0', 'count<0'] });
  });

  it('refuses a per-operation dropped share, naming the threshold', () => {
    expect(() => exportK6(scenario({ thresholds: ['place-order.dropped<1%'] }))).toThrow(K6ExportError);
    expect(() => exportK6(scenario({ thresholds: ['place-order.dropped<1%'] }))).toThrow(
      /"place-order.dropped<1%"/,
    );
  });
});

describe('k6 export: the script parses', () => {
  it('as an ES module (node --check), and the check does catch a syntax error', () => {
    const script = exportK6(
      scenario({ description: 'multi\nline\u2028description */ // <b>', thresholds: ['p99<1s'] }),
    );
    expect(() => checkParses(script, 'fixture')).not.toThrow();
    expect(() => checkParses(script + '\n}', 'broken')).toThrow();
  });

  it('every builtin scenario exports', () => {
    const names = builtinScenarios();
    expect(names).toEqual(
      expect.arrayContaining(['black-friday', 'flash-sale', 'payment-storm', 'steady-mix']),
    );
    for (const name of names) {
      const s = loadScenario(name);
      const script = exportK6(s);
      checkParses(script, name);
      const options = optionsOf(script);
      expect(Object.keys(options.scenarios)).toEqual([name]);
      expect(options.scenarios[name]).toMatchObject({ executor: s.executor.type });
      expect(Object.values(options.thresholds).flat()).toHaveLength(s.thresholds.length);
    }
  });
});
