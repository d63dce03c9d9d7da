import { status as Status, type ServiceError } from '@grpc/grpc-js';
import type { PromiseClient } from '../platform/grpc/client.js';
import type { AnalyticsServiceService, Summary } from '../proto/gen/ecom/analytics/v1/analytics.js';
import type { FeedEvent } from './ui/dashboard-view.js';

/** Options of {@link watchSummaries}. */
export interface FeedOptions {
  windowSeconds: number;
  intervalMs: number;
  /** Pause before reconnecting after a failure. */
  retryMs?: number;
}

/**
 * Follows analytics' WatchSummary, pushing each summary; reconnects when the stream ends (the
 * server caps a call's deadline, analytics restarts, the network fails), saying so in between.
 * Returns a function that stops it.
 */
export function watchSummaries(
  client: PromiseClient<typeof AnalyticsServiceService>,
  opts: FeedOptions,
  push: (e: FeedEvent) => void,
): () => void {
  let stopped = false;
  let cancel: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const open = () => {
    if (stopped) return;
    const stream = client.watchSummary(
      { windowSeconds: opts.windowSeconds, intervalMs: opts.intervalMs },
      { deadlineMs: 10 * 60_000 },
    );
    cancel = () => stream.cancel();
    let ended = false;
    const again = (err?: ServiceError) => {
      if (ended || stopped) return;
      ended = true;
      // A deadline reached on a healthy stream is routine: reopen at once, quietly.
      if (err?.code === Status.DEADLINE_EXCEEDED) {
        open();
        return;
      }
      push({ status: 'reconnecting', error: err ? (err.details ?? err.message) : 'stream ended' });
      timer = setTimeout(open, opts.retryMs ?? 1_000);
    };
    stream.on('data', (m: { summary?: Summary }) => {
      if (m.summary) push({ summary: m.summary });
    });
    stream.on('error', (e: ServiceError) => again(e));
    stream.on('end', () => again());
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    cancel?.();
  };
}
