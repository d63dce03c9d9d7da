import { arrivalSchedule } from './arrivals.js';
import { classifyError, type Completion } from './client.js';
import type { HistoryWriter } from './history.js';
import type { Clients, Planner } from './planner.js';
import type { Scenario } from './schema.js';
import type { RunStats } from './stats.js';

/** Everything one run of the load needs. */
export interface LoadRun {
  scenario: Scenario;
  planner: Planner;
  clients: Clients;
  history: HistoryWriter;
  stats: RunStats;
  /** Milliseconds since the run's t = 0 (monotonic). */
  now(): number;
  signal?: AbortSignal;
}

/**
 * Runs the scenario's executor with k6's semantics. Open model (arrival rate): arrivals never wait
 * for responses; an arrival that finds `maxInFlight` iterations running is dropped and counted;
 * latency runs from the intended start, so a slow system cannot hide its queueing (no coordinated
 * omission). Closed model (constant-vus): each VU runs iterations back to back.
 */
export async function execute(run: LoadRun): Promise<void> {
  let lastId = 0;
  const iterate = (process: number, intended: number) => iteration(run, ++lastId, process, intended);
  if (run.scenario.executor.type === 'constant-vus') await closedModel(run, iterate);
  else await openModel(run, iterate);
}

type Iterate = (process: number, intended: number) => Promise<void>;

/** One iteration: plan, record the invocation, call, record the completion. */
async function iteration(run: LoadRun, id: number, process: number, intended: number): Promise<void> {
  const op = run.planner.next();
  const t = run.now();
  run.history.write({
    type: 'invoke',
    id,
    process,
    f: op.f,
    t: round(t),
    intended: round(intended),
    value: op.value,
  });
  run.stats.started(op.f, t, t - intended);
  let completion: Completion;
  try {
    completion = { type: 'ok', value: await op.call(run.clients, run.scenario.timeout) };
  } catch (err) {
    completion = classifyError(err);
  }
  const end = run.now();
  const latencyMs = end - intended;
  run.history.write({
    type: completion.type,
    id,
    process,
    f: op.f,
    t: round(end),
    latencyMs: round(latencyMs),
    value: completion.value,
  });
  run.stats.completed(op.f, completion.type, end, latencyMs, completion.value);
}

async function openModel(run: LoadRun, iterate: Iterate): Promise<void> {
  const executor = run.scenario.executor;
  if (executor.type === 'constant-vus') return;
  const schedule = arrivalSchedule(executor);
  const inFlight = new Set<Promise<void>>();
  let i = 0;
  let due = schedule.timeOf(0);
  while (i < schedule.total && !run.signal?.aborted) {
    // Always yield to the event loop before the next arrival (never spin: completions must be
    // processed on time too); timers have ~1 ms resolution, so arrivals closer than that are
    // started together on the next tick, each with its own intended time.
    const wait = due - run.now();
    if (wait > 0) await sleep(Math.min(Math.max(wait, 1), 50));
    const now = run.now();
    while (i < schedule.total && due <= now) {
      if (inFlight.size >= executor.maxInFlight) run.stats.dropped(due);
      else {
        const p: Promise<void> = iterate(i, due).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      i += 1;
      due = schedule.timeOf(i);
    }
  }
  await Promise.allSettled([...inFlight]);
}

async function closedModel(run: LoadRun, iterate: Iterate): Promise<void> {
  const executor = run.scenario.executor;
  if (executor.type !== 'constant-vus') return;
  const vu = async (process: number) => {
    while (run.now() < executor.duration && !run.signal?.aborted) await iterate(process, run.now());
  };
  await Promise.all(Array.from({ length: executor.vus }, (_, k) => vu(k)));
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
