import fs from 'node:fs';
import type { ChildExit, ChildHandle } from './child.js';

/** Thrown by a {@link waitFor} check to stop waiting at once: the condition can no longer become true. */
export class WaitAbort extends Error {
  override name = 'WaitAbort';
}

/** Options of {@link waitFor}. */
export interface WaitOptions {
  timeoutMs: number;
  /** Pause between two checks. */
  intervalMs: number;
  /** What is awaited, for the error message ("mysql-primary accepting connections"). */
  what: string;
  /** If given, waiting fails as soon as this child exits, and errors quote the end of its log. */
  child?: ChildHandle;
}

/** The last `lines` lines of `text` (trailing blank lines dropped). */
export function tailText(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The last `lines` lines of a text file (reads at most its last 64 KiB); '' if it cannot be read. */
export function tailFile(file: string, lines = 20): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, size - length);
      return tailText(buf.toString('utf8'), lines);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

const describeExit = (e: ChildExit): string => (e.signal ? `signal ${e.signal}` : `code ${e.code}`);

/**
 * Polls `check` until it resolves true. A check that throws or returns false is retried after
 * `intervalMs`; one that throws {@link WaitAbort} ends the wait at once. Fails with an error naming
 * `what`, the last check error and the end of the child's log if the timeout passes or the child
 * exits first.
 */
export async function waitFor(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const { child } = opts;
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let lastError: unknown;
  const exitedEarly = child ? child.exited.then((e) => ({ exited: e })) : new Promise<never>(() => {});

  const fail = (reason: string): Error => {
    const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
    const log = child ? tailFile(child.logFile) : '';
    const tail = log ? `\n--- last lines of ${child?.logFile} ---\n${log}` : '';
    return new Error(`${opts.what}: ${reason}${last}${tail}`);
  };

  // Waits for `p`, but no longer than `ms`, and gives up early if the child exits.
  const bounded = async <T>(p: Promise<T>, ms: number): Promise<T | { exited: ChildExit } | 'timeout'> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    try {
      return await Promise.race([p, timeout, exitedEarly]);
    } finally {
      clearTimeout(timer);
    }
  };
  const isExit = (v: unknown): v is { exited: ChildExit } =>
    typeof v === 'object' && v !== null && 'exited' in v;

  for (;;) {
    if (child && !child.running()) break;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw fail(`not ready after ${opts.timeoutMs} ms`);
    let outcome: boolean | { exited: ChildExit } | 'timeout';
    try {
      outcome = await bounded(check(), remaining);
    } catch (err) {
      if (err instanceof WaitAbort) {
        lastError = err;
        throw fail('gave up');
      }
      lastError = err;
      outcome = false;
    }
    if (outcome === true) return;
    if (isExit(outcome)) break;
    const pause = await bounded(new Promise((r) => setTimeout(r, opts.intervalMs)), opts.intervalMs + 1);
    if (isExit(pause)) break;
  }
  const exit = await (child as ChildHandle).exited;
  throw fail(
    `${child?.name} exited (${describeExit(exit)}) after ${Date.now() - started} ms, before it was ready`,
  );
}
