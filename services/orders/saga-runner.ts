import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../platform/logger.js';
import type { OrdersSection } from './config.js';
import { laterGtid } from './gtid.js';
import type { OrdersMetrics } from './metrics.js';
import { apply, decide, isTerminal, type Action, type Outcome, type SagaState } from './saga.js';
import type { EffectKind, SagaOrder, StepResult } from './saga-effects.js';
import type { Claim, OrderRow, OrderStore } from './store.js';

/** A saga running on this instance. */
export interface RunningSaga {
  /** Resolves with the last state this runner saw when it stops (terminal, lost lease or shutdown). */
  done: Promise<SagaState | undefined>;
  /** GTID of the last write this saga made (read-your-writes). */
  lastGtid(): string | undefined;
}

export type Effects = Record<EffectKind, (o: SagaOrder, deadlineMs: number) => Promise<StepResult>>;

/** Headroom between the end of a call's deadline and the end of the runner's lease. */
const LEASE_MARGIN_MS = 500;

/**
 * Runs order sagas claimed by this instance: load state → decide → call → persist, until the order
 * is terminal. Holds a lease on each order (renewed every third of it) and writes only while it
 * holds it, so a successor that adopts an expired lease never races a live runner. A call's
 * deadline always ends before the lease does.
 */
export class SagaRunner {
  private readonly running = new Map<string, RunningSaga>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly deps: {
      store: OrderStore;
      effects: Effects;
      config: OrdersSection;
      metrics: OrdersMetrics;
      logger: Logger;
      instance: string;
    },
  ) {}

  /** A fresh claim for this instance. */
  newClaim(): Claim {
    return { instance: this.deps.instance, token: randomUUID(), leaseMs: this.deps.config.leaseMs };
  }

  /** Sagas running on this instance now. */
  get size(): number {
    return this.running.size;
  }

  /** The saga of `orderId` if it runs here. */
  get(orderId: string): RunningSaga | undefined {
    return this.running.get(orderId);
  }

  /**
   * Starts the saga of an order this instance has just claimed (`claimedAt`: local time before
   * the claim). `fresh`: the order just inserted, so the first step needs no read.
   */
  start(
    orderId: string,
    claim: Claim,
    claimedAt: number,
    fresh?: { order: SagaOrder; state: SagaState; gtid: string | undefined },
  ): RunningSaga {
    const existing = this.running.get(orderId);
    if (existing) return existing;
    let gtid = fresh?.gtid;
    const saga: RunningSaga = {
      done: this.loop(orderId, claim, claimedAt, fresh, (g) => (gtid = laterGtid(gtid, g))).finally(() => {
        this.running.delete(orderId);
        this.deps.metrics.inFlight.dec();
      }),
      lastGtid: () => gtid,
    };
    this.deps.metrics.inFlight.inc();
    this.running.set(orderId, saga);
    return saga;
  }

  /** Stops every runner at its next step (their leases lapse and another instance adopts them). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.running.values()].map((s) => s.done));
  }

  private async loop(
    orderId: string,
    claim: Claim,
    claimedAt: number,
    fresh: { order: SagaOrder; state: SagaState } | undefined,
    onGtid: (g: string | undefined) => void,
  ): Promise<SagaState | undefined> {
    const { store, effects, config, metrics } = this.deps;
    const log = this.deps.logger.child({ orderId });
    const lease = { until: claimedAt + config.leaseMs, lost: false };
    const renewLease = async () => {
      const before = Date.now();
      if (await store.leases.renew(orderId, claim)) lease.until = before + config.leaseMs;
      else lease.lost = true;
    };
    const keeper = setInterval(
      () => {
        renewLease().catch((err: unknown) => log.warn({ err }, 'lease renewal failed'));
      },
      Math.floor(config.leaseMs / 3),
    );
    keeper.unref();
    let state: SagaState | undefined = fresh?.state;
    let order: SagaOrder | undefined = fresh?.order;
    /** The state as last read or written by us; undefined: read it again (a cancel may have come). */
    let known: { state: SagaState; createdAt: number } | undefined = fresh
      ? { state: fresh.state, createdAt: claimedAt }
      : undefined;
    let attempt = 0;
    let finished = false;
    try {
      while (!this.stopping.signal.aborted && !lease.lost) {
        if (!known) {
          let row: Pick<OrderRow, 'state' | 'claimToken' | 'ageMs'> | undefined;
          try {
            if (order) row = await store.sagaState(orderId);
            else {
              const full = await store.get(store.primaryPool, orderId);
              if (full) order = sagaOrder(full);
              row = full;
            }
          } catch (err) {
            log.warn({ err }, 'saga: cannot load order');
            await this.pause(attempt++);
            continue;
          }
          if (!row || row.claimToken !== claim.token) break;
          known = { state: row.state, createdAt: Date.now() - row.ageMs };
        }
        if (!order) break;
        state = known.state;
        const ageMs = Date.now() - known.createdAt;
        let action: Action;
        try {
          action = decide(state, config);
        } catch (err) {
          log.error({ err, state }, 'saga: no decision for this state; leaving it to an operator');
          break;
        }
        if (action.kind === 'none') {
          finished = true;
          await store.leases.release(orderId, claim.token);
          break;
        }
        let outcome: Outcome | undefined;
        let durationMs: number | null = null;
        if (action.kind !== 'compensate') {
          if (lease.until - Date.now() < config.callDeadlineMs + LEASE_MARGIN_MS) await renewLease();
          if (lease.lost) break;
          const deadlineMs = Math.min(config.callDeadlineMs, lease.until - Date.now() - LEASE_MARGIN_MS);
          const started = Date.now();
          const result = await effects[action.kind](order, deadlineMs).catch((err: unknown): StepResult => ({
            kind: 'retry',
            detail: `unexpected: ${String(err)}`,
          }));
          durationMs = Date.now() - started;
          const givesUp = result.kind === 'retry' && isForward(action) && ageMs > config.forwardBudgetMs;
          metrics.stepDuration.observe(
            { step: action.kind, result: givesUp ? 'gave-up' : result.kind },
            durationMs / 1000,
          );
          if (result.kind === 'retry' && !givesUp) {
            log.debug({ step: action.kind, detail: result.detail }, 'saga step will be retried');
            await this.pause(attempt++);
            known = undefined;
            continue;
          }
          outcome = result.kind === 'retry' ? { kind: 'gave-up', detail: result.detail } : result;
          if (outcome.kind === 'done' && outcome.refused) {
            metrics.compensationFailures.inc({ step: action.kind });
            log.error({ step: action.kind, detail: outcome.detail }, 'compensation refused: recorded');
          }
        }
        attempt = 0;
        const t = apply(state, action, outcome);
        const terminal = isTerminal(t.next);
        let written;
        try {
          written = await store.transition(orderId, claim.token, t.next, t.event, durationMs, terminal);
        } catch (err) {
          // The step is idempotent: redoing it after a failed write is safe.
          log.warn({ err }, 'saga: cannot persist transition');
          await this.pause(attempt++);
          known = undefined;
          continue;
        }
        if (!written.applied) break;
        onGtid(written.gtid);
        state = t.next;
        known = written.cancelChanged ? undefined : { state, createdAt: known.createdAt };
        if (terminal) {
          finished = true;
          metrics.outcomes.inc({ outcome: state.status.toLowerCase(), reason: state.reason ?? '' });
          break;
        }
      }
    } finally {
      clearInterval(keeper);
    }
    if (!finished && !lease.lost && this.stopping.signal.aborted) {
      await store.leases
        .handOver(orderId, claim.token)
        .catch((err: unknown) => log.warn({ err }, 'hand-over failed'));
    }
    return state;
  }

  private async pause(attempt: number): Promise<void> {
    const { retryBaseMs, retryMaxMs } = this.deps.config;
    const ms = Math.random() * Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt, 20));
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}

function isForward(a: Action): boolean {
  return a.kind === 'reserve' || a.kind === 'charge';
}

function sagaOrder(row: OrderRow): SagaOrder {
  return {
    orderId: row.orderId,
    userId: row.userId,
    lines: row.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    totalMinor: row.totalMinor,
    currency: row.currency,
    paymentToken: row.paymentToken,
  };
}
