/**
 * Resolves after `ms` milliseconds, or at once when `signal` aborts (never rejects): toxics sleep
 * with it so that removing the toxic releases held data immediately. Sub-millisecond waits yield
 * to the event loop once instead of paying setTimeout's 1 ms floor.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || !(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    let timeout: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const done = (): void => {
      if (timeout) clearTimeout(timeout);
      if (immediate) clearImmediate(immediate);
      signal.removeEventListener('abort', done);
      resolve();
    };
    if (ms < 1) immediate = setImmediate(done);
    else timeout = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
