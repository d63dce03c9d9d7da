import { status as Status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallOptions } from './client.js';
import { Coalescer, localError, type Settled } from './coalescer.js';

/** A coalescer over fake RPCs that record what was sent; `many` answers after `delayMs`. */
function harness(opts: { maxBatch?: number; delayMs?: number; manyFails?: Error } = {}) {
  const sent: { kind: 'one' | 'many'; reqs: number[]; deadlineMs?: number }[] = [];
  const answer = (n: number): Settled<string> =>
    n < 0 ? { ok: false, error: localError(Status.NOT_FOUND, `no ${n}`) } : { ok: true, value: `r${n}` };
  const c = new Coalescer<number, string>({
    maxBatch: opts.maxBatch ?? 100,
    defaultDeadlineMs: 5_000,
    one: async (n) => {
      sent.push({ kind: 'one', reqs: [n] });
      const a = answer(n);
      if (a.ok) return a.value;
      throw a.error;
    },
    many: async (reqs, o: CallOptions) => {
      sent.push({ kind: 'many', reqs, deadlineMs: o.deadlineMs });
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
      if (opts.manyFails) throw opts.manyFails;
      return reqs.map(answer);
    },
  });
  return { c, sent };
}

const codeOf = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as ServiceError).code;

describe('Coalescer (client-side group commit)', () => {
  it('sends calls made in one turn as one batched call, in order, each settling with its own answer', async () => {
    const { c, sent } = harness();
    const calls = [1, -2, 3].map((n) => c.call(n));
    const settled = await Promise.allSettled(calls);
    expect(sent).toEqual([{ kind: 'many', reqs: [1, -2, 3], deadlineMs: expect.any(Number) }]);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'r1' });
    expect(settled[1]).toMatchObject({
      status: 'rejected',
      reason: { code: Status.NOT_FOUND, details: 'no -2' },
    });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 'r3' });
  });

  it('sends a call that finds no company as the plain RPC', async () => {
    const { c, sent } = harness();
    expect(await c.call(7)).toBe('r7');
    expect(await c.call(8)).toBe('r8');
    expect(sent.map((s) => s.kind)).toEqual(['one', 'one']);
  });

  it('splits a turn larger than maxBatch into several batched calls', async () => {
    const { c, sent } = harness({ maxBatch: 2 });
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => c.call(n)))).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(sent.map((s) => s.reqs)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('gives the batch the latest deadline and ends an earlier one on time, outcome unknown', async () => {
    const { c, sent } = harness({ delayMs: 300 });
    const short = c.call(1, { deadlineMs: 50 });
    const long = c.call(2, { deadlineMs: 2_000 });
    let answered = false;
    void long.then(() => (answered = true));
    expect(await codeOf(short)).toBe(Status.DEADLINE_EXCEEDED);
    expect(answered).toBe(false); // it did not wait for the batch's answer
    expect(await long).toBe('r2');
    expect(sent[0]!.deadlineMs).toBeGreaterThan(1_000);
  });

  it('cancels a call on its signal: before sending it is never sent; in flight it ends CANCELLED', async () => {
    const { c, sent } = harness({ delayMs: 200 });
    const before = new AbortController();
    const early = c.call(1, { signal: before.signal });
    before.abort();
    const inFlight = new AbortController();
    const [a, b] = [c.call(2, { signal: inFlight.signal }), c.call(3)];
    expect(await codeOf(early)).toBe(Status.CANCELLED);
    setTimeout(() => inFlight.abort(), 20);
    expect(await codeOf(a)).toBe(Status.CANCELLED);
    expect(await b).toBe('r3');
    expect(sent.flatMap((s) => s.reqs)).toEqual([2, 3]);
  });

  it('fails every call of a batch whose call failed as a whole, with that error', async () => {
    const err = localError(Status.UNAVAILABLE, 'connection refused');
    const { c } = harness({ manyFails: err });
    const settled = await Promise.allSettled([1, 2].map((n) => c.call(n)));
    expect(settled).toEqual([
      { status: 'rejected', reason: err },
      { status: 'rejected', reason: err },
    ]);
  });

  it('falls back to plain calls when the server has no batched RPC (UNIMPLEMENTED)', async () => {
    const { c, sent } = harness({ manyFails: localError(Status.UNIMPLEMENTED, 'unknown method') });
    expect(await Promise.all([1, 2].map((n) => c.call(n)))).toEqual(['r1', 'r2']);
    expect(sent.map((s) => s.kind)).toEqual(['many', 'one', 'one']);
  });
});

describe('Coalescer (property)', () => {
  // Any mix of answers, deadlines and cancellations: every call settles, with its own answer or,
  // only if it was cut short, DEADLINE_EXCEEDED / CANCELLED; every request not cancelled before
  // sending is sent exactly once; no batched call exceeds maxBatch.
  const call = fc.record({
    fails: fc.boolean(),
    deadline: fc.constantFrom('short', 'long'),
    cancel: fc.constantFrom('no', 'before', 'in-flight'),
  });
  it('settles every call with its own answer, and sends every request once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(call, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (calls, maxBatch) => {
          const sent: number[] = [];
          const batches: number[] = [];
          const controllers = calls.map(() => new AbortController());
          // "In flight" cancellations come once their request is on the wire, whatever the timing.
          const onSent = (reqs: number[]) =>
            setTimeout(
              () => reqs.forEach((i) => calls[i]!.cancel === 'in-flight' && controllers[i]!.abort()),
              1,
            );
          const answer = (i: number): Settled<string> =>
            calls[i]!.fails
              ? { ok: false, error: localError(Status.FAILED_PRECONDITION, `no ${i}`) }
              : { ok: true, value: `r${i}` };
          const c = new Coalescer<number, string>({
            maxBatch,
            defaultDeadlineMs: 5_000,
            one: async (i) => {
              sent.push(i);
              onSent([i]);
              await new Promise((r) => setTimeout(r, 2));
              const a = answer(i);
              if (a.ok) return a.value;
              throw a.error;
            },
            many: async (reqs) => {
              sent.push(...reqs);
              batches.push(reqs.length);
              onSent(reqs);
              await new Promise((r) => setTimeout(r, 15));
              return reqs.map(answer);
            },
          });
          const promises = calls.map((k, i) =>
            c.call(i, { deadlineMs: k.deadline === 'short' ? 3 : 10_000, signal: controllers[i]!.signal }),
          );
          calls.forEach((k, i) => k.cancel === 'before' && controllers[i]!.abort());
          const results = await Promise.allSettled(promises);
          results.forEach((r, i) => {
            const k = calls[i]!;
            const own = answer(i);
            const cut =
              r.status === 'rejected' &&
              [Status.DEADLINE_EXCEEDED, Status.CANCELLED].includes((r.reason as ServiceError).code);
            if (cut) {
              const code = (r.reason as ServiceError).code;
              if (code === Status.CANCELLED) expect(k.cancel).not.toBe('no');
              else expect(k.deadline).toBe('short');
            } else if (own.ok) expect(r).toEqual({ status: 'fulfilled', value: own.value });
            else expect(r).toEqual({ status: 'rejected', reason: own.error });
          });
          const expected = calls.flatMap((k, i) => (k.cancel === 'before' ? [] : [i]));
          expect([...sent].sort((a, b) => a - b)).toEqual(expected);
          expect(batches.every((n) => n <= maxBatch)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
