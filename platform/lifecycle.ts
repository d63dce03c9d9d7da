import type { Logger } from './logger.js';

/** Anything started that can be stopped. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Stops what a process started, in reverse order, once: on SIGTERM/SIGINT, when the lifeline
 * (stdin from the supervisor) closes, or when asked. Each step is bounded so shutdown always ends.
 */
export class Lifecycle {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly stepTimeoutMs = 10_000,
  ) {}

  /** Registers something to stop; later registrations stop first. */
  add(name: string, thing: Stoppable | (() => Promise<void>)): void {
    this.steps.push({ name, stop: typeof thing === 'function' ? thing : () => thing.stop() });
  }

  /** Runs every stop step (reverse order); idempotent. */
  stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info({ reason }, 'shutting down');
      for (const step of [...this.steps].reverse()) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            this.logger.warn({ step: step.name }, 'stop step timed out');
            resolve();
          }, this.stepTimeoutMs);
        });
        await Promise.race([
          step.stop().catch((err: unknown) => this.logger.warn({ err, step: step.name }, 'stop step failed')),
          timeout,
        ]);
        clearTimeout(timer);
      }
      this.logger.info('stopped');
    })();
    return this.stopping;
  }

  /** Stops and exits on SIGTERM/SIGINT, and (when lifeline is set) when stdin closes. */
  exitOnSignals(opts: { lifeline: boolean }): void {
    const exit = (reason: string, code: number) => {
      void this.stop(reason).finally(() => {
        this.logger.flush?.();
        process.exit(code);
      });
    };
    process.once('SIGTERM', () => exit('SIGTERM', 0));
    process.once('SIGINT', () => exit('SIGINT', 0));
    if (opts.lifeline) {
      process.stdin.on('end', () => exit('lifeline closed', 0));
      process.stdin.on('error', () => exit('lifeline error', 0));
      process.stdin.resume();
    }
  }
}
