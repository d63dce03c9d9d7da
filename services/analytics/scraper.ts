import type { Logger } from '../../platform/logger.js';
import { parsePromText } from './prom-text.js';
import type { ScrapeHistory } from './scrapes.js';

/** Options of {@link startScraper}. */
export interface ScraperOptions {
  /** /metrics URLs of the processes to scrape. */
  targets: string[];
  intervalMs: number;
  timeoutMs: number;
  history: ScrapeHistory;
  logger: Logger;
  /** Called after every round (e.g. to update the scrape gauges). */
  onRound?: () => void;
}

/**
 * Scrapes every target's /metrics every `intervalMs` (all in parallel, each bounded by
 * `timeoutMs`) into the history. A target that fails is marked down until it answers again.
 */
export function startScraper(opts: ScraperOptions): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const failing = new Set<string>();

  const scrape = async (target: string) => {
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(opts.timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      opts.history.record(target, parsePromText(await res.text()), Date.now());
      if (failing.delete(target)) opts.logger.info({ target }, 'scrape target answers again');
    } catch (err) {
      opts.history.failed(target);
      if (!failing.has(target)) opts.logger.warn({ target, err: (err as Error).message }, 'scrape failed');
      failing.add(target);
    }
  };

  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    round = Promise.all(opts.targets.map(scrape)).then(() => {
      opts.onRound?.();
      if (!stopped) timer = setTimeout(tick, opts.intervalMs);
    });
  };
  if (opts.targets.length > 0) tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
