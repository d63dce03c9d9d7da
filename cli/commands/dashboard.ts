import type { WriteStream } from 'node:tty';
import { render } from 'ink';
import { createElement } from 'react';
import { z } from 'zod';
import { createClient } from '../../platform/grpc/client.js';
import { AnalyticsServiceService } from '../../proto/gen/ecom/analytics/v1/analytics.js';
import { pidAlive, readState } from '../../stack/state.js';
import { defineCommand } from '../command.js';
import { watchSummaries } from '../dashboard-feed.js';
import { ExitCode, UsageError } from '../exit.js';
import { DashboardApp } from '../ui/dashboard-view.js';

export default defineCommand({
  name: 'dashboard',
  summary: 'live terminal dashboard: throughput, latency percentiles, errors, breakers, hot stock',
  configure(cmd) {
    cmd
      .option('--address <host:port>', "analytics' gRPC address (default: the running stack's)")
      .option('--window <seconds>', 'the trailing window the figures cover; 0 = all time', '60')
      .option('--interval <ms>', 'refresh interval: 100..1000 ms', '1000')
      .addHelpText(
        'after',
        `
Fed by analytics' WatchSummary (it reconnects when the stream ends). q or Ctrl-C quits. Without a
terminal it prints one line per update on stderr instead. The same figures are on the web
dashboard \`ecom up\` prints (http://<analytics HTTP port>/).`,
      );
  },
  schema: z.object({
    address: z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'host:port')
      .optional(),
    window: z.coerce.number().int().min(0).max(86_400),
    interval: z.coerce.number().int().min(100).max(1_000),
  }),
  async run(opts, ctx) {
    const address = opts.address ?? analyticsAddress(ctx.dir);
    const client = createClient(AnalyticsServiceService, {
      name: 'analytics',
      addresses: [address],
      defaultDeadlineMs: 10 * 60_000,
    });
    const feed = { windowSeconds: opts.window, intervalMs: opts.interval };
    try {
      if (!ctx.interactive) {
        const stop = watchSummaries(client, feed, (e) => {
          if ('summary' in e) {
            const s = e.summary;
            ctx.err.write(
              `${s.generatedAt?.toISOString() ?? ''} ${s.ordersPerSecond.toFixed(1)} orders/s placed ${s.ordersPlaced} ` +
                `confirmed ${s.ordersConfirmed} rejected ${s.ordersRejected} payments failed ${s.paymentsFailed} ` +
                `open breakers ${s.breakers.filter((b) => b.state !== 'closed').length}\n`,
            );
          } else ctx.err.write(`${e.status}${e.error ? `: ${e.error}` : ''}\n`);
        });
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        stop();
        return ExitCode.ok;
      }
      const app = render(
        createElement(DashboardApp, {
          address,
          subscribe: (push) => watchSummaries(client, feed, push),
          interactive: process.stdin.isTTY === true,
        }),
        { stdout: ctx.err as WriteStream, exitOnCtrlC: false, patchConsole: false },
      );
      ctx.signal.addEventListener('abort', () => app.unmount(), { once: true });
      await app.waitUntilExit();
      return ExitCode.ok;
    } finally {
      client.close();
    }
  },
});

/** The gRPC address of the running stack's first analytics instance. */
function analyticsAddress(dir: string): string {
  const state = readState(dir);
  if (!state || !pidAlive(state.supervisor.pid)) {
    throw new UsageError(`no stack is running in ${dir}: start one with \`ecom up\`, or pass --address`);
  }
  const analytics = state.components.find((c) => c.service === 'analytics');
  if (!analytics)
    throw new UsageError('the running stack has no analytics instance (--replicas analytics=1)');
  return analytics.endpoint;
}
