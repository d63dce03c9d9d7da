import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../harness.js';

/** `ecom simulate`, `ecom chaos` and `ecom verify` as users run them, against a real stack. */
let stack: Awaited<ReturnType<typeof startTestStack>>;
const ecom = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [join(import.meta.dirname, '..', '..', 'bin', 'ecom.js'), '--dir', stack.dir, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
      timeout: 180_000,
    },
  );

beforeAll(async () => {
  stack = await startTestStack({ replicas: { analytics: 0 } });
  writeFileSync(
    join(stack.dir, 'small.yaml'),
    [
      'name: small',
      'catalogue: { skus: 2, warehouses: 1, stockPerSku: 20 }',
      'users: { count: 10 }',
      'mix: { place-order: 3, get-stock: 1 }',
      'executor: { type: constant-arrival-rate, rate: 10, duration: 2s }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(stack.dir, 'bad.yaml'),
    'name: bad\ncatalogue: { skus: 0, stockPerSku: 1 }\nusers: { count: 1 }\nmix: { place-order: 1 }\nexecutor: { type: constant-vus, vus: 1, duration: 1s }\n',
  );
});
afterAll(async () => {
  await stack?.stop();
});

describe('ecom simulate / chaos / verify', () => {
  it('exits 1 when a threshold fails, naming it, and prints one JSON report on stdout', () => {
    const r = ecom(
      'simulate',
      '--scenario',
      join(stack.dir, 'small.yaml'),
      '--threshold',
      'confirmed>100000',
      '--no-tui',
      '--json',
    );
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as {
      scenario: string;
      orders: { attempted: number };
      thresholds: { expr: string; ok: boolean }[];
      invariants: { ok: boolean };
    };
    expect(report.scenario).toBe('small');
    expect(report.orders.attempted).toBeGreaterThan(0);
    expect(report.thresholds).toContainEqual(
      expect.objectContaining({ expr: 'confirmed>100000', ok: false }),
    );
    expect(report.invariants.ok).toBe(true);
  });

  it('exits 0 when every threshold and invariant holds; verify agrees', () => {
    const r = ecom(
      'simulate',
      '--scenario',
      join(stack.dir, 'small.yaml'),
      '--threshold',
      'confirmed>0',
      '--no-tui',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ confirmed>0/);
    const v = ecom('verify', '--json');
    expect(v.status, v.stderr).toBe(0);
    expect((JSON.parse(v.stdout) as { ok: boolean; invariants: unknown[] }).invariants).toHaveLength(6);
  });

  it('exits 2 naming the field of a bad scenario file, the flag of a bad threshold, and a bad fault', () => {
    const bad = ecom('simulate', '--scenario', join(stack.dir, 'bad.yaml'), '--no-tui');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/catalogue\.skus:/);
    const threshold = ecom('simulate', '--scenario', 'steady-mix', '--threshold', 'p99 is fast');
    expect(threshold.status).toBe(2);
    expect(threshold.stderr).toMatch(/--threshold #1/);
    const fault = ecom(
      'chaos',
      '--fault',
      'kill:target=shipping-9',
      '--scenario',
      join(stack.dir, 'small.yaml'),
    );
    expect(fault.status).toBe(2);
    expect(fault.stderr).toMatch(/--fault: kill: target=shipping-9 matches no service instance/);
  });

  it('runs a scenario under a fault, heals it and judges the run', () => {
    const r = ecom(
      'chaos',
      '--scenario',
      join(stack.dir, 'small.yaml'),
      '--fault',
      'pause:target=inventory-1,at=500ms,for=1s',
      '--no-tui',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      faults: { spec: string; fromSeconds: number; toSeconds: number }[];
      invariants: { ok: boolean };
    };
    expect(report.faults).toHaveLength(1);
    expect(report.faults[0]!.toSeconds).toBeGreaterThan(report.faults[0]!.fromSeconds);
    expect(report.invariants.ok).toBe(true);
  });
});
