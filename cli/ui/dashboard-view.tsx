import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { Summary } from '../../proto/gen/ecom/analytics/v1/analytics.js';

/** Connection state of the summary feed. */
export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

/** What the feed pushes: a summary, or a change of connection state. */
export type FeedEvent = { summary: Summary } | { status: FeedStatus; error?: string };

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of `values` (the last `width` of them), scaled to their maximum. */
export function sparkline(values: number[], width = 60): string {
  const tail = values.slice(-width);
  const max = Math.max(0, ...tail);
  return tail.map((v) => (max <= 0 ? BARS[0] : BARS[Math.min(7, Math.round((v / max) * 7))])).join('');
}

const num = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const BREAKER_COLOR: Record<string, string> = { closed: 'green', 'half-open': 'yellow', open: 'red' };

/** How many methods the latency table shows (busiest first). */
const LATENCY_ROWS = 8;

/** The dashboard's content for one summary (pure rendering; tested with ink-testing-library). */
export function DashboardView(props: {
  summary: Summary | undefined;
  /** orders/s of the last updates, oldest first. */
  history: number[];
  status: FeedStatus;
  error?: string;
  address: string;
}) {
  const { summary: s, status } = props;
  const header = (
    <Text>
      <Text bold>ecom dashboard</Text> <Text dimColor>analytics {props.address}</Text>{' '}
      <Text color={status === 'live' ? 'green' : 'yellow'}>{status}</Text>
      {props.error ? <Text dimColor> ({props.error})</Text> : null}
      <Text dimColor> · q quits</Text>
    </Text>
  );
  if (!s) {
    return (
      <Box flexDirection="column">
        {header}
        <Text dimColor>waiting for the first summary…</Text>
      </Box>
    );
  }
  const rpcErrors = s.latencies.reduce((n, l) => n + l.errors, 0);
  const revenue = s.revenue.map((m) => `${num(m.amountMinor / 100, 2)} ${m.currency}`).join(', ') || '0';
  return (
    <Box flexDirection="column">
      {header}
      <Text dimColor>
        window {s.windowSeconds === 0 ? 'all time' : `${s.windowSeconds} s`} · updated{' '}
        {s.generatedAt?.toLocaleTimeString() ?? '-'}
      </Text>
      <Box marginTop={1} flexDirection="column">
        <Text>
          <Text bold>Throughput </Text>
          <Text color="cyan">{num(s.ordersPerSecond, 1)} orders/s </Text>
          <Text color="cyan">{sparkline(props.history)}</Text>
        </Text>
        <Text>
          <Text bold>Orders </Text>placed {num(s.ordersPlaced)} · confirmed{' '}
          <Text color="green">{num(s.ordersConfirmed)}</Text> · rejected{' '}
          <Text color="red">{num(s.ordersRejected)}</Text> · cancelled {num(s.ordersCancelled)}
        </Text>
        <Text>
          <Text bold>Sales </Text>conversion {num(s.conversionRate * 100, 1)}% · revenue {revenue} · payments
          captured {num(s.paymentsCaptured)}
        </Text>
        <Text>
          <Text bold>Errors </Text>RPC errors{' '}
          <Text color={rpcErrors > 0 ? 'red' : undefined}>{num(rpcErrors)}</Text> · payments failed{' '}
          {num(s.paymentsFailed)} · refunded {num(s.paymentsRefunded)} · stock-outs {num(s.stockOuts)} · low
          stock {num(s.stockLows)}
        </Text>
        <Text>
          <Text bold>Rejections </Text>
          {s.rejectionReasons.length === 0
            ? 'none'
            : s.rejectionReasons.map((r) => `${r.reason} ${num(r.count)}`).join(' · ')}
        </Text>
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>
          {'Latency'.padEnd(34)}
          {'calls'.padStart(8)}
          {'errors'.padStart(8)}
          {'p50 ms'.padStart(9)}
          {'p99 ms'.padStart(9)}
        </Text>
        {s.latencies.length === 0 ? <Text dimColor>no calls in the window</Text> : null}
        {s.latencies.slice(0, LATENCY_ROWS).map((l) => (
          <Text key={`${l.service}/${l.method}`}>
            {`${l.service} ${l.method}`.slice(0, 33).padEnd(34)}
            {num(l.count).padStart(8)}
            {num(l.errors).padStart(8)}
            {num(l.p50Ms, 1).padStart(9)}
            {num(l.p99Ms, 1).padStart(9)}
          </Text>
        ))}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text>
          <Text bold>Breakers </Text>
          {s.breakers.length === 0 ? <Text dimColor>none reported</Text> : null}
          {s.breakers.map((b, i) => (
            <Text key={`${b.instance}/${b.target}`}>
              {i > 0 ? ' · ' : ''}
              {b.instance}→{b.target} <Text color={BREAKER_COLOR[b.state] ?? 'white'}>{b.state}</Text>
            </Text>
          ))}
        </Text>
        <Text>
          <Text bold>Hot stock </Text>
          {s.hotStock.length === 0 ? <Text dimColor>no sales yet</Text> : null}
          {s.hotStock.map((h, i) => (
            <Text key={h.sku}>
              {i > 0 ? ' · ' : ''}
              {h.sku} <Text color={h.available > 0 ? undefined : 'red'}>{num(h.available)}</Text> left
            </Text>
          ))}
        </Text>
      </Box>
    </Box>
  );
}

/** How many updates the throughput sparkline remembers. */
const HISTORY = 60;

/**
 * The interactive dashboard: subscribes to the feed, keeps the throughput history, and exits
 * (through ink, which restores the terminal) on `q` or Ctrl-C.
 */
export function DashboardApp(props: {
  address: string;
  subscribe: (push: (e: FeedEvent) => void) => () => void;
  /** Whether keys can be read (a TTY in raw mode). */
  interactive: boolean;
}) {
  const { exit } = useApp();
  const [summary, setSummary] = useState<Summary | undefined>();
  const [history, setHistory] = useState<number[]>([]);
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const [error, setError] = useState<string | undefined>();
  useEffect(
    () =>
      props.subscribe((e) => {
        if ('summary' in e) {
          setSummary(e.summary);
          setStatus('live');
          setError(undefined);
          setHistory((h) => [...h, e.summary.ordersPerSecond].slice(-HISTORY));
        } else {
          setStatus(e.status);
          setError(e.error);
        }
      }),
    [props.subscribe],
  );
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) exit();
    },
    { isActive: props.interactive },
  );
  return (
    <DashboardView
      summary={summary}
      history={history}
      status={status}
      error={error}
      address={props.address}
    />
  );
}
