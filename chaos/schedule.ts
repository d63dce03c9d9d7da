import type { Logger } from '../platform/logger.js';
import type { FaultWindow } from '../scenarios/report.js';
import type { StackState } from '../stack/types.js';
import { FaultSpecError, type ActiveFault, type Fault, type FaultContext } from './fault.js';
import { faultByKind, FAULTS } from './faults/index.js';
import { parseFaultSpec, type FaultSpec } from './spec.js';

/** A fault spec checked against the registry and the stack, ready to run. */
export interface PlannedFault {
  spec: FaultSpec;
  fault: Fault<never>;
  params: never;
}

/** Parses and validates every spec up front (exit 2 before anything runs). */
export function planFaults(texts: string[], state: StackState): PlannedFault[] {
  return texts.map((text) => {
    let spec: FaultSpec;
    try {
      spec = parseFaultSpec(text);
    } catch (err) {
      throw new FaultSpecError((err as Error).message);
    }
    const fault = faultByKind(spec.kind);
    if (!fault)
      throw new FaultSpecError(
        `unknown fault kind "${spec.kind}" (one of ${FAULTS.map((f) => f.kind).join(', ')})`,
      );
    return { spec, fault, params: fault.prepare(spec, state) as never };
  });
}

/** A fault schedule in progress. */
export interface RunningSchedule {
  /** The windows of faults started so far (closed ones have their real end). */
  windows: FaultWindow[];
  /** Heals every active fault and cancels the ones not started yet; idempotent. */
  healAll(): Promise<void>;
}

/**
 * Runs faults on their schedule relative to a run's t = 0: each starts at `at` and is healed
 * after `for`. Failures to start or heal are logged and recorded on the window, never thrown into
 * the load. `healAll()` always heals what is active — the final checks run after it.
 */
export function runSchedule(
  planned: PlannedFault[],
  ctx: FaultContext,
  now: () => number,
  logger: Logger,
  windows: FaultWindow[] = [],
): RunningSchedule {
  const active = new Set<{ fault: ActiveFault; window: FaultWindow }>();
  const timers: NodeJS.Timeout[] = [];
  const starting = new Set<Promise<void>>();
  let healing = false;

  const heal = async (entry: { fault: ActiveFault; window: FaultWindow }) => {
    if (!active.delete(entry)) return;
    try {
      await entry.fault.stop();
    } catch (err) {
      logger.error({ err, fault: entry.window.spec }, 'healing a fault failed');
      entry.window.description =
        `${entry.window.description ?? ''} (heal failed: ${(err as Error).message})`.trim();
    }
    entry.window.toSeconds = now() / 1000;
  };

  for (const p of planned) {
    timers.push(
      setTimeout(
        () => {
          if (healing) return;
          const window: FaultWindow = {
            spec: p.spec.text,
            kind: p.spec.kind,
            target: p.fault.target(p.params),
            fromSeconds: now() / 1000,
            toSeconds: (p.spec.atMs + p.spec.forMs) / 1000,
            description: p.fault.description,
          };
          windows.push(window);
          logger.info({ fault: p.spec.text }, 'fault starting');
          const started: Promise<void> = p.fault.start(ctx, p.params).then(
            (fault) => {
              const entry = { fault, window };
              active.add(entry);
              // While healAll() runs it heals this entry itself, after waiting for starts in flight.
              if (!healing)
                timers.push(
                  setTimeout(() => void heal(entry), Math.max(0, p.spec.atMs + p.spec.forMs - now())),
                );
            },
            (err: unknown) => {
              logger.error({ err, fault: p.spec.text }, 'fault failed to start');
              window.description = `failed to start: ${(err as Error).message}`;
              window.toSeconds = window.fromSeconds;
            },
          );
          starting.add(started);
          void started.finally(() => starting.delete(started));
        },
        Math.max(0, p.spec.atMs - now()),
      ),
    );
  }

  return {
    windows,
    async healAll() {
      healing = true;
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([...starting]);
      await Promise.all([...active].map(heal));
    },
  };
}
