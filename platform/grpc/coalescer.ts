import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { callDeadlineMs, callSignals, type CallOptions } from './client.js';
import { isServiceError } from './status.js';

/** One request's answer inside a "many" response: its value, or the error its own call would have had. */
export type Settled<Res> = { ok: true; value: Res } | { ok: false; error: Error };

/** How a {@link Coalescer} sends. */
export interface CoalescerOptions<Req, Res> {
  /** The plain RPC, for a call that finds no company: it keeps its own trace, deadline and cancellation. */
  one(req: Req, opts?: CallOptions): Promise<Res>;
  /** The batched RPC: one settled answer per request, in request order. */
  many(reqs: Req[], opts: CallOptions): Promise<Settled<Res>[]>;
  /** Most requests per batched call. */
  maxBatch: number;
  /** The client's default deadline, for calls that name none. */
  defaultDeadlineMs: number;
  /** Called with the size of every batched call sent (a metric). */
  onBatch?: (size: number) => void;
}

interface Pending<Req, Res> {
  req: Req;
  opts: CallOptions | undefined;
  deadline: number;
  signals: AbortSignal[];
  /** The caller's trace context, for a call sent alone. */
  trace: Context;
  done: boolean;
  resolve(res: Res): void;
  reject(err: unknown): void;
}

/**
 * Client-side group commit for a unary RPC, the way TigerBeetle's clients batch transfers: calls
 * made in the same event-loop turn leave together as one batched RPC (`many`), so a busy caller pays
 * one round trip, one HTTP/2 stream and one protobuf message per batch instead of per call. Nothing
 * waits for company: the batch leaves on the next turn, and a call alone goes out as the plain RPC.
 *
 * Each call keeps its own contract: it settles with its own answer or error (one failing request
 * does not fail the others), and at its own deadline or cancellation at the latest. A batched call
 * cannot be cancelled for one of its requests, so such a call ends with DEADLINE_EXCEEDED or
 * CANCELLED, outcome unknown, exactly as a plain call cut off in flight does. A server without the
 * batched RPC (UNIMPLEMENTED) gets every request of the batch as a plain call.
 */
export class Coalescer<Req, Res> {
  private queue: Pending<Req, Res>[] = [];
  private scheduled = false;

  constructor(private readonly o: CoalescerOptions<Req, Res>) {}

  /** Same signature and semantics as the plain RPC's client method. */
  readonly call = (req: Req, opts?: CallOptions): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const deadline = Date.now() + callDeadlineMs(opts, this.o.defaultDeadlineMs);
      const signals = callSignals(opts);
      const trace = context.active();
      this.queue.push({ req, opts, deadline, signals, trace, done: false, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // The batch is nobody's child: it leaves outside the first caller's trace context.
        setImmediate(() => context.with(ROOT_CONTEXT, () => this.flush()));
      }
    });

  private flush(): void {
    this.scheduled = false;
    const queued = this.queue.filter((p) => {
      if (!p.signals.some((s) => s.aborted)) return true;
      p.reject(localError(Status.CANCELLED, 'cancelled before it was sent'));
      return false;
    });
    this.queue = [];
    if (queued.length === 1) {
      const p = queued[0]!;
      context.with(p.trace, () => this.o.one(p.req, p.opts)).then(p.resolve, p.reject);
      return;
    }
    for (let i = 0; i < queued.length; i += this.o.maxBatch) this.send(queued.slice(i, i + this.o.maxBatch));
  }

  private send(batch: Pending<Req, Res>[]): void {
    const deadline = Math.max(...batch.map((p) => p.deadline));
    const settle = batch.map((p) => this.guard(p, deadline));
    this.o.onBatch?.(batch.length);
    this.o
      .many(
        batch.map((p) => p.req),
        { deadlineMs: Math.max(1, deadline - Date.now()) },
      )
      .then(
        (results) =>
          batch.forEach((p, i) => {
            const r = results[i];
            settle[i]!(() =>
              r === undefined
                ? p.reject(
                    localError(Status.INTERNAL, `batched call answered ${results.length} of ${batch.length}`),
                  )
                : r.ok
                  ? p.resolve(r.value)
                  : p.reject(r.error),
            );
          }),
        (err: unknown) => {
          const unimplemented = isServiceError(err) && err.code === Status.UNIMPLEMENTED;
          batch.forEach((p, i) =>
            settle[i]!(() =>
              unimplemented
                ? void context.with(p.trace, () => this.o.one(p.req, p.opts)).then(p.resolve, p.reject)
                : p.reject(err),
            ),
          );
        },
      );
  }

  /**
   * Ends one call at its own deadline (if earlier than the batch's) or on its cancellation; returns
   * how to settle it otherwise (whichever comes first wins, once).
   */
  private guard(p: Pending<Req, Res>, batchDeadline: number): (settle: () => void) => void {
    const once = (settle: () => void) => {
      if (p.done) return;
      p.done = true;
      clearTimeout(timer);
      for (const s of p.signals) s.removeEventListener('abort', onAbort);
      settle();
    };
    const cut = (err: ServiceError) => once(() => p.reject(err));
    const timer =
      p.deadline < batchDeadline
        ? setTimeout(
            () => cut(localError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded (in a batched call)')),
            Math.max(0, p.deadline - Date.now()),
          )
        : undefined;
    const onAbort = () => cut(localError(Status.CANCELLED, 'Cancelled (in a batched call)'));
    for (const s of p.signals) s.addEventListener('abort', onAbort, { once: true });
    return once;
  }
}

/** A ServiceError as grpc-js would raise it, for an answer decided on this side. */
export function localError(
  code: Status,
  details: string,
  trailers: Record<string, string> = {},
): ServiceError {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(trailers)) metadata.set(k, v);
  return Object.assign(new Error(`${code} ${Status[code]}: ${details}`), { code, details, metadata });
}
