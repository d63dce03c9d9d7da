import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import type { CallContext } from '../../platform/grpc/context.js';
import { PermissionDenied, Unauthenticated } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/ratelimit.js';
import type { OrdersSection } from './config.js';
import type { Downstream } from './downstream.js';
import type { ReadRouter } from './reads.js';
import { isTerminal } from './saga.js';
import type { SagaRunner } from './saga-runner.js';
import type { OrderRow, OrderStore } from './store.js';

/** Everything the orders handlers use; built once per process by index.ts. */
export interface OrdersApp {
  config: OrdersSection;
  store: OrderStore;
  runner: SagaRunner;
  downstream: Downstream;
  reads: ReadRouter;
  limits: { perUser?: RateLimiter; perAddress?: RateLimiter };
  /** Admission control: PlaceOrder calls admitted but not yet running a saga, and a counter of refusals. */
  admission: { pending: number; shed(): void };
  logger: Logger;
}

/** What a write handler answers: the response and the GTID to hand the client (trailer). */
export interface WithGtid<T> {
  response: T;
  gtid: string | undefined;
}

/** The authenticated caller's user id; undefined only when auth is switched off. */
export function callerOf(app: OrdersApp, ctx: CallContext): string | undefined {
  if (ctx.user) return ctx.user.id;
  if (app.config.requireAuth) throw new Unauthenticated('missing access token');
  return undefined;
}

/** Only the owner may see or cancel an order (anyone, when auth is off). */
export function checkOwner(caller: string | undefined, row: OrderRow): void {
  if (caller !== undefined && row.userId !== caller) {
    throw new PermissionDenied('this order belongs to another user');
  }
}

/** The primary's binlog position: a GTID at least as new as anything just read from the primary. */
export async function primaryPosition(app: OrdersApp): Promise<string | undefined> {
  const [rows] = await app.store.primaryPool.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
  const pos = rows[0]?.pos;
  return typeof pos === 'string' && pos !== '' ? pos : undefined;
}

/**
 * Waits (until `marginMs` before the call's deadline) for an order to become terminal: joins its
 * saga when it runs here, else polls the primary, adopting the saga if its runner's lease expired.
 * Returns the order as it stands then, and the GTID that covers it.
 */
export async function awaitTerminal(
  app: OrdersApp,
  orderId: string,
  ctx: CallContext,
): Promise<{ row: OrderRow | undefined; gtid: string | undefined }> {
  const until = () => answerWithinMs(app, ctx);
  let pollMs = 20;
  for (;;) {
    const local = app.runner.get(orderId);
    if (local) {
      await within(local.done, until());
      const row = await app.store.get(app.store.primaryPool, orderId);
      if (!row || isTerminal(row.state) || until() <= pollMs) return { row, gtid: local.lastGtid() };
      // The runner stopped without finishing (lease lost): wait for whoever has it now.
      await sleep(pollMs);
      continue;
    }
    const row = await app.store.get(app.store.primaryPool, orderId);
    if (!row || isTerminal(row.state) || until() <= pollMs) return { row, gtid: await primaryPosition(app) };
    const claim = app.runner.newClaim();
    const claimedAt = Date.now();
    if (await app.store.leases.claimOne(orderId, claim)) {
      app.runner.start(orderId, claim, claimedAt);
      continue;
    }
    await sleep(pollMs);
    pollMs = Math.min(pollMs * 2, 200);
  }
}

/**
 * How long a handler may still wait before answering: the call's remaining time minus a margin
 * (at least `answerMarginMs`, 10% of the remaining time up to 500 ms) to read and send the answer
 * before the client's deadline, which started earlier than ours.
 */
export function answerWithinMs(app: OrdersApp, ctx: CallContext): number {
  const remaining = ctx.remainingMs();
  return remaining - Math.max(app.config.answerMarginMs, Math.min(remaining * 0.1, 500));
}

/** Resolves when `p` settles or after `ms`, whichever is first (never rejects). */
export async function within(p: Promise<unknown>, ms: number): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
