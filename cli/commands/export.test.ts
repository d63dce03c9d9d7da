import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the built CLI (bin/ecom.js → dist/) as users do; `npm test` builds first.
const dir = mkdtempSync(join(tmpdir(), 'ecom-export-'));
const ecom = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [join(import.meta.dirname, '..', '..', 'bin', 'ecom.js'), '--dir', dir, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
    },
  );
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ecom export k6', () => {
  it('prints a script that parses as an ES module, or writes it with --out', () => {
    const r = ecom('export', 'k6', '--scenario', 'steady-mix', '--orders', '127.0.0.1:7001');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ k6 script for the ecom scenario "steady-mix"/);
    expect(r.stdout).toContain('"orders": "127.0.0.1:7001"');
    const file = join(dir, 'steady-mix.mjs');
    const w = ecom('export', 'k6', '--scenario', 'steady-mix', '--out', file);
    expect(w.status).toBe(0);
    expect(w.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toContain("import grpc from 'k6/net/grpc';");
    expect(spawnSync(process.execPath, ['--check', file]).status).toBe(0);
  });

  it('exits 2 naming an unknown format, a bad field or an unknown scenario', () => {
    const f = ecom('export', 'jmeter', '--scenario', 'steady-mix');
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/unknown export format "jmeter" \(one of: k6\)/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'name: bad\ncatalogue: {skus: 1, stockPerSku: 1}\nusers: {count: 1}\nmix: {place-order: 1}\nexecutor: {type: constant-arrival-rate, rate: 0, duration: 1s}\n',
    );
    const b = ecom('export', 'k6', '--scenario', bad);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/executor\.rate/);
    const n = ecom('export', 'k6', '--scenario', 'no-such-scenario');
    expect(n.status).toBe(2);
    expect(n.stderr).toMatch(/neither a builtin/);
    const o = ecom('export', 'k6', '--scenario', 'steady-mix', '--orders', 'nowhere');
    expect(o.status).toBe(2);
    expect(o.stderr).toMatch(/--orders: host:port/);
  });
});
