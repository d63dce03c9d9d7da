import { Box, Text, render } from 'ink';
import { useEffect, useState } from 'react';
import type { RunProgress } from '../../scenarios/run.js';

/** One line of figures about a run in progress (shared by the TUI and --no-tui). */
export interface RunFigures {
  elapsedS: number;
  remainingS: number;
  started: number;
  completed: number;
  inFlight: number;
  dropped: number;
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  confirmed: number;
}

export function figures(p: RunProgress): RunFigures {
  const s = p.stats;
  const elapsedS = p.elapsedMs / 1000;
  const lat = s.latency();
  return {
    elapsedS,
    remainingS: Math.max(0, (p.totalMs - p.elapsedMs) / 1000),
    started: s.startedCount,
    completed: s.completedCount,
    inFlight: s.startedCount - s.completedCount,
    dropped: s.droppedCount,
    throughput: elapsedS > 0 ? s.completedCount / elapsedS : 0,
    p50: lat.p50,
    p99: lat.p99,
    errors: s.outcomes.fail + s.outcomes.info,
    confirmed: s.orders.confirmed,
  };
}

/** "[  12.0s / 8.0s left] started 1200 done 1190 in flight 10 | 99.1/s | p50 3.1ms p99 9.8ms | errors 0 dropped 0" */
export function figuresLine(f: RunFigures): string {
  return (
    `[${f.elapsedS.toFixed(1).padStart(6)}s, ${f.remainingS.toFixed(1)}s left] arrivals ${f.started} completions ${f.completed}` +
    ` in flight ${f.inFlight} | ${f.throughput.toFixed(1)}/s | p50 ${f.p50.toFixed(1)}ms p99 ${f.p99.toFixed(1)}ms` +
    ` | confirmed ${f.confirmed} errors ${f.errors} dropped ${f.dropped}`
  );
}

function Bar({ fraction, width }: { fraction: number; width: number }) {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return (
    <Text>
      <Text color="cyan">{'█'.repeat(full)}</Text>
      <Text dimColor>{'░'.repeat(width - full)}</Text>
    </Text>
  );
}

function RunView({ title, subscribe }: { title: string; subscribe: (fn: (p: RunProgress) => void) => void }) {
  const [p, setP] = useState<RunProgress | undefined>();
  useEffect(() => subscribe(setP), [subscribe]);
  if (!p) return <Text>{title}: preparing (seeding buyers and catalogue)…</Text>;
  const f = figures(p);
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>{title}</Text>
      <Box>
        <Bar fraction={p.elapsedMs / p.totalMs} width={40} />
        <Text>
          {' '}
          {f.elapsedS.toFixed(1)}s elapsed, {f.remainingS.toFixed(1)}s left
        </Text>
      </Box>
      <Text>
        arrivals <Text bold>{f.started}</Text> completions <Text bold>{f.completed}</Text> in flight{' '}
        {f.inFlight}
        {f.dropped > 0 ? <Text color="yellow"> dropped {f.dropped}</Text> : null}
      </Text>
      <Text>
        throughput <Text bold>{f.throughput.toFixed(1)}/s</Text> confirmed orders{' '}
        <Text color="green">{f.confirmed}</Text>
      </Text>
      <Text>
        latency p50 <Text bold>{f.p50.toFixed(1)}ms</Text> p99 <Text bold>{f.p99.toFixed(1)}ms</Text> errors{' '}
        <Text color={f.errors > 0 ? 'red' : undefined}>{f.errors}</Text>
      </Text>
    </Box>
  );
}

/** Live progress of a run: an ink view when interactive, else a line on stderr every few seconds. */
export function runDisplay(
  title: string,
  interactive: boolean,
  err: NodeJS.WritableStream,
): { update(p: RunProgress): void; done(): void } {
  if (!interactive) {
    let last = 0;
    return {
      update(p) {
        if (p.elapsedMs - last < 5_000 && p.elapsedMs < p.totalMs) return;
        last = p.elapsedMs;
        err.write(figuresLine(figures(p)) + '\n');
      },
      done() {},
    };
  }
  let push: (p: RunProgress) => void = () => undefined;
  const app = render(<RunView title={title} subscribe={(fn) => (push = fn)} />, {
    stdout: err as NodeJS.WriteStream,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return {
    update: (p) => push(p),
    done: () => app.unmount(),
  };
}
