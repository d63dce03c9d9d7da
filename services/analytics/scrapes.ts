import {
  add,
  breakersOf,
  histogramsOf,
  minus,
  toLatency,
  type Breaker,
  type Hist,
  type MethodLatency,
} from './latency.js';
import type { Sample } from './prom-text.js';

interface Scrape {
  at: number;
  /** The scraped process's start (process_start_time_seconds), epoch ms; 0 when unknown. */
  started: number;
  hists: Map<string, Hist>;
}

/**
 * What the scraper learnt from every process's /metrics: a bounded history of each target's RPC
 * histograms (for percentiles over a window), and the latest breaker states. Pure (no I/O).
 */
export class ScrapeHistory {
  private readonly history = new Map<string, Scrape[]>();
  private readonly breakers = new Map<string, Breaker[]>();
  private readonly up = new Map<string, boolean>();

  constructor(private readonly keepMs: number) {}

  /** Records a successful scrape of `target` at `at` (ms). */
  record(target: string, samples: Sample[], at: number): void {
    const list = this.history.get(target) ?? [];
    const start = samples.find((x) => x.name === 'process_start_time_seconds')?.value ?? 0;
    list.push({ at, started: start * 1_000, hists: histogramsOf(samples) });
    while (list.length > 2 && list[1]!.at <= at - this.keepMs) list.shift();
    this.history.set(target, list);
    this.breakers.set(target, breakersOf(samples));
    this.up.set(target, true);
  }

  /** Records a failed scrape: the target's breakers are unknown until it answers again. */
  failed(target: string): void {
    this.up.set(target, false);
    this.breakers.delete(target);
  }

  /** Whether each target answered its last scrape. */
  targets(): Map<string, boolean> {
    return new Map(this.up);
  }

  /** Every breaker of every target that answered. */
  breakerStates(): Breaker[] {
    return [...this.breakers.values()]
      .flat()
      .sort((a, b) => a.instance.localeCompare(b.instance) || a.target.localeCompare(b.target));
  }

  /**
   * Per (service, method) over the last `windowSeconds` (0: since each process started), summed
   * over instances: latest scrape minus the newest one at least that old (see below when none is).
   */
  histograms(windowSeconds: number, now: number): Map<string, Hist> {
    const out = new Map<string, Hist>();
    for (const list of this.history.values()) {
      const latest = list[list.length - 1];
      if (!latest) continue;
      let base: Scrape | undefined;
      if (windowSeconds > 0) {
        const cutoff = now - windowSeconds * 1_000;
        base = list.filter((s) => s.at <= cutoff).pop();
        // No scrape that old: a process started inside the window counts everything it served;
        // otherwise the oldest scrape kept is the best base there is.
        if (!base && latest.started < cutoff && list.length > 1) base = list[0];
      }
      for (const [key, h] of latest.hists) {
        const d = minus(h, base?.hists.get(key));
        const prev = out.get(key);
        out.set(key, prev ? add(prev, d) : d);
      }
    }
    return out;
  }

  /** Latency percentiles per method with at least one call in the window, busiest first. */
  methodLatencies(windowSeconds: number, now: number): MethodLatency[] {
    return [...this.histograms(windowSeconds, now).values()]
      .filter((h) => h.count > 0)
      .map(toLatency)
      .sort(
        (a, b) => b.count - a.count || a.service.localeCompare(b.service) || a.method.localeCompare(b.method),
      );
  }

  /** Latency percentiles per service (all its methods together). */
  serviceLatencies(windowSeconds: number, now: number): MethodLatency[] {
    const per = new Map<string, Hist>();
    for (const h of this.histograms(windowSeconds, now).values()) {
      if (h.count <= 0) continue;
      const prev = per.get(h.service);
      per.set(h.service, prev ? add(prev, h) : { ...h, method: '*' });
    }
    return [...per.values()].map(toLatency).sort((a, b) => a.service.localeCompare(b.service));
  }
}
