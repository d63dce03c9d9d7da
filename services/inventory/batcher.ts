/** How a {@link Batcher} groups work. */
export interface BatcherOptions {
  /** Off: every item runs alone, at once, concurrently with the others (the per-order path). */
  enabled: boolean;
  maxBatch: number;
  /** How long the oldest queued item may wait for company before its batch starts (0: next tick). */
  maxWaitMs: number;
  /** Batches in flight at once. */
  maxConcurrent: number;
  /** Most distinct keys in one batch. */
  maxKeysPerBatch: number;
}

interface Queued<T, R> {
  item: T;
  keys: string[];
  signal?: AbortSignal;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Group commit in front of a "run this batch" function. Items name the keys (SKUs) they touch.
 * A batch never shares a key with another batch in flight from this process, so concurrent batches
 * never queue on each other's locks; items wait in arrival order per key (an item blocked on a
 * busy key also blocks later items on its other keys, so nothing starves). While a batch runs,
 * newcomers accumulate: the busier the key, the larger its next batch.
 */
export class Batcher<T, R> {
  private readonly queue: Queued<T, R>[] = [];
  private readonly busy = new Map<string, number>();
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly opts: BatcherOptions,
    private readonly run: (items: T[]) => Promise<R[]>,
  ) {}

  /** Queues an item; resolves with its result, or rejects if its batch failed as a whole. */
  submit(item: T, keys: string[], signal?: AbortSignal): Promise<R> {
    if (this.stopped) return Promise.reject(new Error('batcher stopped'));
    return new Promise<R>((resolve, reject) => {
      const q: Queued<T, R> = { item, keys: [...new Set(keys)], signal, resolve, reject };
      if (!this.opts.enabled) {
        void this.execute([q]);
        return;
      }
      this.queue.push(q);
      this.schedule();
    });
  }

  /** Items queued and not yet in a batch. */
  get pending(): number {
    return this.queue.length;
  }

  /** Refuses new items and waits until batches in flight are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const q of this.queue.splice(0)) q.reject(new Error('batcher stopped'));
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.opts.maxConcurrent || this.queue.length === 0) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.timer = undefined;
      this.dispatch();
    };
    if (this.opts.maxWaitMs > 0 && this.queue.length < this.opts.maxBatch)
      this.timer = setTimeout(go, this.opts.maxWaitMs);
    else setImmediate(go);
  }

  private dispatch(): void {
    while (this.inFlight < this.opts.maxConcurrent) {
      const batch = this.take();
      if (batch.length === 0) break;
      void this.execute(batch);
    }
  }

  /** Picks the next batch from the queue (arrival order, no key busy, within the limits). */
  private take(): Queued<T, R>[] {
    const blocked = new Set(this.busy.keys());
    const batchKeys = new Set<string>();
    const batch: Queued<T, R>[] = [];
    const rest: Queued<T, R>[] = [];
    for (const q of this.queue) {
      if (q.signal?.aborted) {
        q.reject(q.signal.reason);
        continue;
      }
      const free = batch.length < this.opts.maxBatch && q.keys.every((k) => !blocked.has(k));
      const added = q.keys.filter((k) => !batchKeys.has(k)).length;
      if (free && (batch.length === 0 || batchKeys.size + added <= this.opts.maxKeysPerBatch)) {
        batch.push(q);
        for (const k of q.keys) batchKeys.add(k);
      } else {
        rest.push(q);
        for (const k of q.keys) if (!batchKeys.has(k)) blocked.add(k);
      }
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return batch;
  }

  private async execute(batch: Queued<T, R>[]): Promise<void> {
    this.inFlight++;
    const keys = [...new Set(batch.flatMap((q) => q.keys))];
    for (const k of keys) this.busy.set(k, (this.busy.get(k) ?? 0) + 1);
    try {
      const results = await this.run(batch.map((q) => q.item));
      batch.forEach((q, i) => q.resolve(results[i] as R));
    } catch (err) {
      for (const q of batch) q.reject(err);
    } finally {
      for (const k of keys) {
        const n = (this.busy.get(k) ?? 1) - 1;
        if (n === 0) this.busy.delete(k);
        else this.busy.set(k, n);
      }
      this.inFlight--;
      if (this.opts.enabled) this.schedule();
    }
  }
}
