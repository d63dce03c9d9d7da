import { z } from 'zod';
import type { Random } from './random.js';
import { logNormalMs } from './random.js';

const rate = z.number().min(0).max(1);
const latency = z.number().min(0).max(60_000);
/** A 5xx burst: `errorRate` for the next `forMs` (null: none). */
const burst = z
  .object({ errorRate: rate, forMs: z.number().int().min(0).max(3_600_000) })
  .strict()
  .nullable();

/**
 * How the simulated gateway misbehaves; changeable while it runs (`PUT /admin/behaviour`).
 * - latencyMs: every /v1 request waits a log-normal time with this median and 99th percentile.
 * - declineRate: fresh charges declined (402 card_declined, recorded as declined).
 * - errorRate: requests answered 500 before anything is done (nothing recorded).
 * - errorAfterCommitRate: fresh charges and refunds recorded, then answered 500 (the nasty case:
 *   the money moved but the caller sees an error; a retry with the same key finds it).
 * - timeoutRate: fresh charges and refunds recorded, then never answered (the connection is held
 *   until the caller gives up).
 * - burst: for `forMs` from when it was set, errorRate is at least `burst.errorRate`.
 */
export const Behaviour = z
  .object({
    latencyMs: z
      .object({ p50: latency, p99: latency })
      .strict()
      .refine((l) => l.p99 >= l.p50, { path: ['p99'], message: 'must be >= latencyMs.p50' }),
    declineRate: rate,
    errorRate: rate,
    errorAfterCommitRate: rate,
    timeoutRate: rate,
    burst,
  })
  .strict();
export type Behaviour = z.infer<typeof Behaviour>;

/** A change to the behaviour: any subset of the fields (latencyMs may name p50 or p99 alone). */
export const BehaviourPatch = z
  .object({
    latencyMs: z.object({ p50: latency, p99: latency }).partial().strict(),
    declineRate: rate,
    errorRate: rate,
    errorAfterCommitRate: rate,
    timeoutRate: rate,
    burst,
  })
  .partial()
  .strict();

/** The well-behaved gateway. */
export const NORMAL_BEHAVIOUR: Behaviour = {
  latencyMs: { p50: 0, p99: 0 },
  declineRate: 0,
  errorRate: 0,
  errorAfterCommitRate: 0,
  timeoutRate: 0,
  burst: null,
};

/** A behaviour change that failed validation; `field` names the offending field. */
export class BehaviourError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'BehaviourError';
  }
}

/** What `GET /admin/behaviour` shows: the behaviour, with the burst's time left. */
export type BehaviourView = Omit<Behaviour, 'burst'> & {
  burst: { errorRate: number; forMs: number; remainingMs: number } | null;
};

/** The current behaviour of one gateway instance, and the dice it rolls. */
export class BehaviourControl {
  private current: Behaviour;
  private burstUntil = 0;

  constructor(
    private readonly initial: Behaviour,
    private readonly random: Random,
    private readonly now: () => number = Date.now,
  ) {
    this.current = initial;
    this.startBurst();
  }

  view(): BehaviourView {
    const remainingMs = Math.max(0, this.burstUntil - this.now());
    const burst = this.current.burst && remainingMs > 0 ? { ...this.current.burst, remainingMs } : null;
    return { ...this.current, burst };
  }

  /** Applies a patch (unmentioned fields keep their value); throws {@link BehaviourError}. */
  patch(raw: unknown): BehaviourView {
    const patch = BehaviourPatch.safeParse(raw);
    if (!patch.success) throw toBehaviourError(patch.error);
    const merged = Behaviour.safeParse({
      ...this.current,
      ...patch.data,
      latencyMs: { ...this.current.latencyMs, ...patch.data.latencyMs },
    });
    if (!merged.success) throw toBehaviourError(merged.error);
    this.current = merged.data;
    if (patch.data.burst !== undefined) this.startBurst();
    return this.view();
  }

  reset(): BehaviourView {
    this.current = this.initial;
    this.startBurst();
    return this.view();
  }

  latencyMs(): number {
    return logNormalMs(this.random, this.current.latencyMs.p50, this.current.latencyMs.p99);
  }

  /** Fail with a 5xx before doing anything? (errorRate, raised by an active burst.) */
  errorBefore(): boolean {
    const burst = this.current.burst && this.now() < this.burstUntil ? this.current.burst.errorRate : 0;
    return this.roll(Math.max(this.current.errorRate, burst));
  }

  decline(): boolean {
    return this.roll(this.current.declineRate);
  }

  errorAfterCommit(): boolean {
    return this.roll(this.current.errorAfterCommitRate);
  }

  timeout(): boolean {
    return this.roll(this.current.timeoutRate);
  }

  private roll(p: number): boolean {
    return p > 0 && this.random() < p;
  }

  private startBurst(): void {
    this.burstUntil = this.current.burst ? this.now() + this.current.burst.forMs : 0;
  }
}

function toBehaviourError(err: z.ZodError): BehaviourError {
  const issue = err.issues[0];
  const path = issue?.path.map(String) ?? [];
  // An unknown key is reported on its parent; name the key itself.
  if (issue?.code === 'unrecognized_keys' && issue.keys[0]) path.push(issue.keys[0]);
  return new BehaviourError(path.length > 0 ? path.join('.') : '(body)', issue?.message ?? 'invalid');
}
