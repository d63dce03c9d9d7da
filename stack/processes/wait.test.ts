import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnChild, type ChildHandle } from './child.js';
import { tailFile, WaitAbort, waitFor } from './wait.js';

let dir: string;
let child: ChildHandle | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-wait-'));
});
afterEach(async () => {
  await child?.stop({ timeoutMs: 2_000 });
  child = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('waitFor', () => {
  it('resolves once the check returns true, retrying failures', async () => {
    let calls = 0;
    await waitFor(
      async () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls >= 3;
      },
      { timeoutMs: 2_000, intervalMs: 5, what: 'thing' },
    );
    expect(calls).toBe(3);
  });

  it('times out with what was awaited and the last error', async () => {
    await expect(
      waitFor(
        async () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 100, intervalMs: 10, what: 'the widget' },
      ),
    ).rejects.toThrow(/the widget: not ready after 100 ms \(last error: connection refused\)/);
  });

  it('bounds a check that never answers', async () => {
    const t0 = Date.now();
    await expect(
      waitFor(() => new Promise<boolean>(() => {}), { timeoutMs: 100, intervalMs: 10, what: 'hang' }),
    ).rejects.toThrow(/not ready/);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('stops at once on WaitAbort', async () => {
    let calls = 0;
    await expect(
      waitFor(
        async () => {
          calls++;
          throw new WaitAbort('broken for good');
        },
        { timeoutMs: 5_000, intervalMs: 10, what: 'x' },
      ),
    ).rejects.toThrow(/x: gave up \(last error: broken for good\)/);
    expect(calls).toBe(1);
  });

  it('fails fast when the child exits, quoting its log', async () => {
    child = spawnChild({
      name: 'crasher',
      command: process.execPath,
      args: ['-e', "setTimeout(() => { console.error('fatal: port in use'); process.exit(7); }, 100)"],
      logFile: path.join(dir, 'crasher.log'),
    });
    const t0 = Date.now();
    const err = await waitFor(async () => false, {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'crasher',
      child,
    }).catch((e: unknown) => e as Error);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err?.message).toMatch(/crasher exited \(code 7\)/);
    expect(err?.message).toContain('fatal: port in use');
  });
});

describe('tailFile', () => {
  it('returns the last lines, or empty for a missing file', () => {
    const file = path.join(dir, 'f.log');
    fs.writeFileSync(file, Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(tailFile(file, 3)).toBe('line 47\nline 48\nline 49');
    expect(tailFile(path.join(dir, 'missing'))).toBe('');
  });
});
