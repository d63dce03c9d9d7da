import type net from 'node:net';
import type { Gate } from './gate.js';
import { drained, resetSocket } from './socket-util.js';
import type { Stage, Stream } from './types.js';

/** Above this many queued bytes the source is paused; below LOW_WATER it resumes. */
const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;

type Item = { chunk: Buffer; at: number } | { end: 'fin' | 'rst' };

/** A toxic's stage on one stream of one connection; `signal` aborts when the toxic is removed. */
export interface ActiveStage {
  stage: Stage;
  signal: AbortSignal;
}

/** What a {@link Direction} needs from its connection. */
export interface DirectionHost {
  readonly gate: Gate;
  /** True once the connection is closing: data still arriving is dropped. */
  readonly closing: boolean;
  /** The stages of a stream in chain order; a new array on every change (callers keep snapshots). */
  stages(stream: Stream): readonly ActiveStage[];
  now(): number;
  onError(err: unknown): void;
}

/**
 * One stream of one proxied connection: bytes (and the final FIN or RST) from `source` to `dest`,
 * in order, through the stream's toxic stages. With no stage and the gate open, a chunk is written
 * straight through (the cheap path); otherwise it queues and one loop feeds the chain. Memory is
 * bounded: the source is paused while the queue is above 1 MiB or `dest` is not draining.
 */
export class Direction {
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private running = false;
  private readonly pauses = new Set<string>();

  constructor(
    readonly stream: Stream,
    private readonly source: net.Socket,
    private readonly dest: net.Socket,
    private readonly host: DirectionHost,
  ) {}

  /** Bytes this stream holds in the proxy: queued plus written but not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.dest.writableLength;
  }

  /** Stops reading from the source for `reason` until {@link resume}(reason). */
  pause(reason: string): void {
    this.pauses.add(reason);
    this.source.pause();
  }

  resume(reason: string): void {
    this.pauses.delete(reason);
    if (this.pauses.size === 0 && !this.source.destroyed) this.source.resume();
  }

  onData(chunk: Buffer): void {
    if (this.host.closing) return;
    const direct =
      !this.running &&
      this.queue.length === 0 &&
      this.host.gate.isOpen &&
      this.host.stages(this.stream).length === 0;
    if (direct) {
      if (this.dest.destroyed || this.dest.writableEnded) return;
      if (!this.dest.write(chunk) && !this.pauses.has('drain')) {
        this.pause('drain');
        void drained(this.dest).then(() => this.resume('drain'));
      }
      return;
    }
    this.queue.push({ chunk, at: this.host.now() });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER) this.pause('queue');
    if (!this.running) void this.run();
  }

  /** The source ended (FIN) or failed (passed on as RST), after all its data. */
  onEnd(kind: 'fin' | 'rst'): void {
    this.queue.push({ end: kind });
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        if ('chunk' in item) {
          this.queuedBytes -= item.chunk.length;
          if (this.queuedBytes <= LOW_WATER && this.pauses.has('queue')) this.resume('queue');
          if (!this.host.closing) await this.pass(item.chunk, item.at);
        } else {
          while (!this.host.gate.isOpen) await this.host.gate.wait();
          this.finish(item.end);
        }
      }
    } catch (err) {
      this.host.onError(err);
    } finally {
      this.running = false;
    }
  }

  private pass(chunk: Buffer, at: number): Promise<void> {
    const stages = this.host.stages(this.stream);
    const step = (i: number, c: Buffer): Promise<void> => {
      const active = stages[i];
      if (!active) return this.write(c);
      if (active.signal.aborted) return step(i + 1, c);
      return active.stage.process(c, at, (out) => step(i + 1, out));
    };
    return step(0, chunk);
  }

  private async write(chunk: Buffer): Promise<void> {
    // A loop, not an if: the gate may close again before this waiter runs (a replaced partition).
    while (!this.host.gate.isOpen) await this.host.gate.wait();
    if (this.host.closing || this.dest.destroyed || this.dest.writableEnded) return;
    if (!this.dest.write(chunk)) await drained(this.dest);
  }

  private finish(kind: 'fin' | 'rst'): void {
    if (this.dest.destroyed) return;
    if (kind === 'rst') resetSocket(this.dest);
    else if (!this.dest.writableEnded) this.dest.end();
  }
}
