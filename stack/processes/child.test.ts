import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnChild, type ChildHandle } from './child.js';

let dir: string;
const started: ChildHandle[] = [];
const node = (name: string, script: string): ChildHandle => {
  const child = spawnChild({
    name,
    command: process.execPath,
    args: ['-e', script],
    logFile: path.join(dir, 'logs', `${name}.log`),
  });
  started.push(child);
  return child;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-child-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop({ signal: 'SIGKILL', timeoutMs: 2_000 })));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('spawnChild', () => {
  it('appends stdout and stderr to the log file and reports the exit', async () => {
    const child = node('talker', "console.log('out line'); console.error('err line'); process.exit(3)");
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect(child.running()).toBe(false);
    const log = fs.readFileSync(child.logFile, 'utf8');
    expect(log).toContain('starting talker');
    expect(log).toContain('out line');
    expect(log).toContain('err line');
  });

  it('stops with SIGTERM and is idempotent', async () => {
    const child = node('sleeper', 'setInterval(() => {}, 1000)');
    expect(child.running()).toBe(true);
    const first = child.stop();
    expect(child.stop()).toBe(first);
    await first;
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(fs.existsSync(`/proc/${child.pid}`)).toBe(false);
    await child.stop();
  });

  it('falls back to SIGKILL when the child ignores SIGTERM', async () => {
    const child = node(
      'stubborn',
      "process.on('SIGTERM', () => {}); console.log('ar' + 'med'); setInterval(() => {}, 1000)",
    );
    // Wait until the handler is installed, or SIGTERM would kill it before it could ignore it.
    while (!fs.readFileSync(child.logFile, 'utf8').includes('armed'))
      await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await child.stop({ timeoutMs: 300 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect((await child.exited).signal).toBe('SIGKILL');
  });

  it('resolves stop() at once for a child that already exited', async () => {
    const child = node('quick', 'process.exit(0)');
    await child.exited;
    await child.stop();
  });

  it('throws when the command does not exist', () => {
    expect(() =>
      spawnChild({
        name: 'ghost',
        command: '/nonexistent/ghost',
        args: [],
        logFile: path.join(dir, 'ghost.log'),
      }),
    ).toThrow(/ghost: cannot run \/nonexistent\/ghost/);
  });
});
