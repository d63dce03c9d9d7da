import type { Logger } from '../../platform/logger.js';
import { parseEvent, type DomainEvent } from '../../platform/outbox/events.js';
import type { AggregateStore } from './agg-store.js';
import type { StreamEntry } from './consumer.js';
import type { AnalyticsMetrics } from './metrics.js';

/**
 * Turns a batch of stream entries into counters: parses each event (a malformed one is counted,
 * logged and skipped: it would never parse better on redelivery), applies the valid ones in one
 * transaction (duplicates recognised by id), and throws when that fails so the batch stays
 * unacknowledged and is delivered again.
 */
export function eventHandler(deps: {
  store: AggregateStore;
  metrics: AnalyticsMetrics;
  logger: Logger;
  /** Called after a batch committed (the view refreshes sooner). */
  onApplied?: () => void;
  now?: () => number;
}): (entries: StreamEntry[]) => Promise<void> {
  const now = deps.now ?? Date.now;
  let invalidLogged = 0;
  return async (entries) => {
    const events: DomainEvent[] = [];
    for (const e of entries) {
      if (!e.fields) {
        deps.metrics.events.inc({ type: 'unknown', outcome: 'trimmed' });
        continue;
      }
      const parsed = parseEvent(e.fields.event ?? '');
      if (parsed.ok) {
        events.push(parsed.event);
        continue;
      }
      deps.metrics.events.inc({ type: e.fields.type ?? 'unknown', outcome: 'invalid' });
      if (invalidLogged++ < 20)
        deps.logger.warn({ entry: e.id, error: parsed.error }, 'invalid event skipped');
    }
    if (events.length === 0) return;
    let result;
    try {
      result = await deps.store.apply(events);
    } catch (err) {
      deps.metrics.applyFailures.inc();
      throw err;
    }
    const applied = new Set(result.applied.map((e) => e.id));
    const t = now();
    for (const e of events) {
      const fresh = applied.delete(e.id);
      deps.metrics.events.inc({ type: e.type, outcome: fresh ? 'applied' : 'duplicate' });
      if (fresh) deps.metrics.delay.observe(Math.max(0, t - Date.parse(e.occurredAt)) / 1_000);
    }
    deps.onApplied?.();
  };
}
