/** Exit codes of the CLI contract (ARCHITECTURE.md). */
export const ExitCode = {
  ok: 0,
  /** An invariant was violated or a threshold failed. */
  violation: 1,
  /** Bad usage or config. */
  usage: 2,
  /** The environment lacks something; the message says what and how to get it. */
  environment: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad usage: exit 2 with this message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Something missing from the machine: exit 3 with this message. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}
