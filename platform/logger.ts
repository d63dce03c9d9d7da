import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Written on every line as `component` (e.g. "inventory-2", "stack", "cli"). */
  component: string;
  /** pino level; default "info". */
  level?: string;
  /** Where lines go; default stderr (stdout is reserved for `--json` output). */
  destination?: DestinationStream | number;
}

/**
 * The one structured logger of a process. Secrets never reach it: the redact list covers the
 * fields that may carry passwords or tokens.
 */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { component: opts.component, pid: process.pid },
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'accessToken',
          '*.accessToken',
          'refreshToken',
          '*.refreshToken',
          'authorization',
          '*.authorization',
          'passwordHash',
          '*.passwordHash',
        ],
        censor: '[redacted]',
      },
    },
    typeof opts.destination === 'number' || opts.destination === undefined
      ? pino.destination({ fd: typeof opts.destination === 'number' ? opts.destination : 2, sync: false })
      : opts.destination,
  );
}
