import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startStack, type StartedStack } from '../stack/start.js';
import type { StackOptionsInput } from '../stack/types.js';

/**
 * Starts a real stack in a fresh temporary folder for a test file. The stack is not persistent:
 * if the test process dies, its supervisor tears everything down by itself. Call `stop()` in
 * afterAll; it also removes the folder.
 */
export async function startTestStack(
  options: Omit<StackOptionsInput, 'dir'> = {},
): Promise<StartedStack & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-test-'));
  // ECOM_TEST_RUNTIME=containers runs the whole integration suite on the containers runtime.
  const runtime = options.runtime ?? (process.env.ECOM_TEST_RUNTIME as StackOptionsInput['runtime']);
  const stack = await startStack({ logLevel: 'warn', ...options, runtime, dir, persistent: false }).catch(
    (err: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    },
  );
  const stop = async () => {
    await stack.stop();
    // CI keeps the run reports and histories (uploaded as artifacts when the gate fails).
    const keep = process.env.ECOM_KEEP_RUNS;
    if (keep && existsSync(join(dir, 'runs')))
      cpSync(join(dir, 'runs'), join(keep, basename(dir)), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
  };
  return { ...stack, dir, stop, [Symbol.asyncDispose]: stop };
}

/**
 * Calls `fn` until `ok` holds for its value or `timeoutMs` passes, and returns the last value: the
 * test then asserts on it, so a timeout fails with the value that was wrong. For what a loaded
 * machine makes slow, not wrong (health after a restart, a commit after a send).
 */
export async function pollUntil<T>(
  fn: () => Promise<T> | T,
  ok: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
