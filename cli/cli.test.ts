import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the built CLI (bin/ecom.js → dist/) as users do; `npm test` builds first.
const dir = mkdtempSync(join(tmpdir(), 'ecom-cli-'));
const ecom = (...args: string[]) =>
  spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'ecom.js'), '--dir', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ecom CLI contract', () => {
  it('lists every command of the contract in --help', () => {
    const r = ecom('--help');
    expect(r.status).toBe(0);
    for (const c of [
      'doctor',
      'up',
      'status',
      'down',
      'seed',
      'simulate',
      'chaos',
      'verify',
      'bench',
      'dashboard',
      'export',
      'demo',
      'images',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it('exits 2 on an unknown command or flag', () => {
    expect(ecom('launch').status).toBe(2);
    const r = ecom('up', '--turbo');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--turbo'/);
  });

  it('exits 2 naming the flag when a value is bad', () => {
    const r = ecom('up', '--replicas', 'shipping=2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--replicas: unknown service "shipping"/);
    const s = ecom('up', '--lock-strategy', 'optimistic');
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--lock-strategy/);
    const t = ecom('up', '--replicas', 'orders=99');
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/orders=99: the count must be an integer 0\.\.8/);
  });

  it('status without a stack exits 1 and --json stays one JSON document on stdout', () => {
    const r = ecom('status', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ running: false, components: [] });
  });

  it('down without a stack is a no-op that succeeds', () => {
    const r = ecom('down');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/nothing to stop/);
  });

  it('doctor --json reports each requirement with its Debian packages', () => {
    const r = ecom('doctor', '--json', '--runtime', 'all');
    const doc = JSON.parse(r.stdout) as {
      requirements: { name: string; debianPackages: string[]; hint: string; ok: boolean }[];
    };
    expect(doc.requirements.map((x) => x.name)).toEqual(expect.arrayContaining(['mariadb', 'redis-server']));
    // Each requirement says how to get it: Debian packages, or (local images) the command that builds them.
    for (const r of doc.requirements) {
      expect(r.debianPackages.length > 0 || r.ok || r.hint.length > 0, r.name).toBe(true);
    }
    expect(doc.requirements.find((r) => r.name === 'mariadb')?.debianPackages).toEqual(['mariadb-server']);
  });
});
