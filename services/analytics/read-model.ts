import type { Logger } from '../../platform/logger.js';
import type { AggregateStore } from './agg-store.js';
import type { AggregateView } from './view.js';

/** Options of {@link startReadModel}. */
export interface ReadModelOptions {
  store: AggregateStore;
  view: AggregateView;
  refreshMs: number;
  retentionSeconds: number;
  dedupeRetentionHours: number;
  logger: Logger;
}

/** Margin re-read on each refresh: rows written by transactions that committed a little late. */
const OVERLAP_MS = 5_000;
/** Refreshes asked for by a new batch are at least this far apart. */
const MIN_GAP_MS = 200;
const PURGE_EVERY_MS = 60_000;

/**
 * Keeps the in-memory view equal to the database: loads everything once, then every `refreshMs`
 * (or soon after `kick()`) re-reads the counters changed since the last refresh began (plus a
 * margin), one refresh at a time. Also purges expired buckets and remembered ids every minute.
 */
export function startReadModel(opts: ReadModelOptions): { kick(): void; stop(): Promise<void> } {
  let loaded = false;
  let lastStart = 0;
  let lastPurge = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let failing = false;

  const fromBucket = () => Math.floor(Date.now() / 1_000) - opts.retentionSeconds;
  const refresh = async () => {
    const started = Date.now();
    const from = fromBucket();
    const rows = loaded
      ? await opts.store.changedSince(started - lastStart + OVERLAP_MS, from)
      : await opts.store.load(from);
    opts.view.set(rows);
    opts.view.dropBefore(from);
    loaded = true;
    lastStart = started;
    if (started - lastPurge >= PURGE_EVERY_MS) {
      lastPurge = started;
      await opts.store.purge(from, opts.dedupeRetentionHours);
    }
  };
  const run = () => {
    clearTimeout(timer);
    timer = undefined;
    running = refresh()
      .then(() => {
        if (failing) opts.logger.info('analytics view refreshed again');
        failing = false;
      })
      .catch((err: unknown) => {
        if (!failing) opts.logger.warn({ err: (err as Error).message }, 'cannot refresh the analytics view');
        failing = true;
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(run, opts.refreshMs);
      });
  };
  run();
  return {
    kick() {
      if (stopped || timer === undefined) return;
      const wait = Math.max(0, lastStart + MIN_GAP_MS - Date.now());
      clearTimeout(timer);
      timer = setTimeout(run, wait);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
