import { describe, expect, it } from 'vitest';
import { cpuPerOperation, formatCpu, procCpuSeconds } from './cpu.js';

describe('bench CPU accounting', () => {
  it('reads a host process’s CPU time from /proc, and grows while it works', () => {
    const before = procCpuSeconds(process.pid);
    expect(before).toBeGreaterThan(0);
    const until = Date.now() + 150;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(procCpuSeconds(process.pid)!).toBeGreaterThan(before!);
  });

  it('says undefined for a process that does not exist', () => {
    expect(procCpuSeconds(2 ** 22 + 12345)).toBeUndefined();
  });

  it('divides each part’s CPU by the operations, largest first; parts missing a start are left out', () => {
    const before = new Map([
      ['orders', 10],
      ['inventory', 5],
      ['mysql-primary', 2],
    ]);
    const after = new Map([
      ['orders', 11.3],
      ['inventory', 5.4],
      ['mysql-primary', 3],
      ['zookeeper', 9],
    ]);
    const c = cpuPerOperation(before, after, 100);
    expect(c.parts.map(([p]) => p)).toEqual(['orders', 'mysql-primary', 'inventory']);
    expect(c.parts[0]![1]).toBeCloseTo(13, 6);
    expect(c.totalMs).toBeCloseTo(27, 6);
    expect(formatCpu(c)).toBe('CPU 27 ms per order attempted (orders 13, mysql-primary 10, inventory 4)');
    expect(cpuPerOperation(before, after, 0)).toEqual({ parts: [], totalMs: 0 });
  });
});
