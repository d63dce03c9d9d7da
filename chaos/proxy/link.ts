import net from 'node:net';
import type { Logger } from '../../platform/logger.js';
import type { Address } from './address.js';
import { Direction, type ActiveStage, type DirectionHost } from './direction.js';
import { Gate } from './gate.js';
import { resetSocket } from './socket-util.js';
import type { ToxicSpec } from './toxic-spec.js';
import { STREAMS, type Stage, type StageContext, type Stream } from './types.js';

/** What a {@link Link} needs from its proxy. */
export interface LinkDeps {
  upstream: Address;
  logger: Logger;
  random(): number;
  now(): number;
  /** The proxy's toxics, in chain order (read whenever the chain is rebuilt). */
  toxics(): readonly ToxicSpec[];
  /** Called once, after both sockets have closed. */
  onClosed(link: Link): void;
}

/** A toxic as it runs on this connection: whether its toxicity coin came up, and its stage. */
interface Applied {
  spec: ToxicSpec;
  applies: boolean;
  abort: AbortController;
  stage?: Stage;
}

/** How long a graceful close (timeout, limit_data) waits for the peers before destroying. */
const CLOSE_GRACE_MS = 2_000;

/**
 * One proxied connection (Toxiproxy's link): the accepted client socket, the socket to the
 * upstream, and a {@link Direction} per stream. Each toxic reaches it through {@link attach}: the
 * toxicity coin is tossed once per connection and toxic, then the toxic's stage joins its stream's
 * chain. A `partition` toxic closes the gate on both streams and stops reading; the upstream
 * connection is not even opened while a new connection is partitioned.
 */
export class Link implements DirectionHost {
  readonly gate = new Gate();
  closing = false;
  private readonly server = new net.Socket({ allowHalfOpen: true });
  private readonly up: Direction;
  private readonly down: Direction;
  private readonly applied = new Map<string, Applied>();
  private chains: Record<Stream, readonly ActiveStage[]> = { upstream: [], downstream: [] };
  private partitions = 0;
  private connectStarted = false;
  private openSockets = 2;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: net.Socket,
    private readonly deps: LinkDeps,
  ) {
    client.setNoDelay(true);
    this.up = new Direction('upstream', client, this.server, this);
    this.down = new Direction('downstream', this.server, client, this);
    this.wire(client, this.up);
    this.wire(this.server, this.down);
    for (const spec of deps.toxics()) this.attach(spec);
    if (this.partitions === 0) this.connect();
  }

  /** Bytes the proxy holds for this connection (both streams). */
  get bufferedBytes(): number {
    return this.up.bufferedBytes + this.down.bufferedBytes;
  }

  stages(stream: Stream): readonly ActiveStage[] {
    return this.chains[stream];
  }

  now(): number {
    return this.deps.now();
  }

  onError(err: unknown): void {
    this.deps.logger.warn({ err }, 'proxy link failed; closing it');
    this.destroy();
  }

  /**
   * Starts a toxic on this connection (tossing its toxicity coin), replacing a running toxic of
   * the same name (an update) without a gap: a replaced partition never lets data slip through.
   */
  attach(spec: ToxicSpec): void {
    if (!this.closing) this.swap(spec.json.name, spec);
  }

  /** Stops a toxic on this connection; data it held passes on at once. */
  detach(name: string): void {
    this.swap(name, undefined);
  }

  private swap(name: string, spec: ToxicSpec | undefined): void {
    const old = this.applied.get(name);
    let entry: Applied | undefined;
    if (spec) {
      const applies = spec.json.toxicity >= 1 || this.deps.random() < spec.json.toxicity;
      entry = { spec, applies, abort: new AbortController() };
      if (applies && spec.type.stage)
        entry.stage = spec.type.stage(
          spec.json.attributes,
          this.context(spec.json.stream, entry.abort.signal),
        );
      this.applied.set(name, entry);
    } else this.applied.delete(name);
    if (old) {
      old.abort.abort();
      old.stage?.dispose?.();
    }
    this.rebuild();
    const partitions = (e: Applied | undefined) => (e?.applies && e.spec.type.scope === 'link' ? 1 : 0);
    const delta = partitions(entry) - partitions(old);
    if (delta !== 0) this.setPartitions(delta);
  }

  /** Closes both sides gracefully (FIN); destroys them if the peers linger. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.client.end();
    if (this.connectStarted) this.server.end();
    else this.server.destroy();
    this.closeTimer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Closes both sides with RST. */
  reset(): void {
    this.closing = true;
    resetSocket(this.client);
    resetSocket(this.server);
  }

  /** Closes both sides at once (disable, stop). */
  destroy(): void {
    this.closing = true;
    this.client.destroy();
    this.server.destroy();
  }

  private wire(socket: net.Socket, direction: Direction): void {
    socket.on('data', (chunk: Buffer) => direction.onData(chunk));
    socket.on('end', () => direction.onEnd('fin'));
    socket.on('error', (err) => {
      this.deps.logger.debug({ err: err.message, stream: direction.stream }, 'proxy socket error');
      direction.onEnd('rst');
    });
    socket.on('close', () => this.socketClosed());
  }

  private connect(): void {
    if (this.client.destroyed) {
      this.server.destroy();
      return;
    }
    this.connectStarted = true;
    this.server.once('connect', () => this.server.setNoDelay(true));
    this.server.connect({ host: this.deps.upstream.host, port: this.deps.upstream.port });
  }

  private setPartitions(delta: number): void {
    const before = this.partitions > 0;
    this.partitions += delta;
    const after = this.partitions > 0;
    if (!before && after) {
      this.gate.close();
      this.up.pause('partition');
      this.down.pause('partition');
    } else if (before && !after && !this.closing) {
      if (!this.connectStarted) this.connect();
      this.gate.open();
      this.up.resume('partition');
      this.down.resume('partition');
    }
  }

  private context(stream: Stream, signal: AbortSignal): StageContext {
    return {
      stream,
      signal,
      random: this.deps.random,
      now: this.deps.now,
      close: () => this.close(),
      reset: () => this.reset(),
    };
  }

  private rebuild(): void {
    const chains = { upstream: [], downstream: [] } as Record<Stream, ActiveStage[]>;
    for (const stream of STREAMS) {
      for (const spec of this.deps.toxics()) {
        const entry = this.applied.get(spec.json.name);
        if (spec.json.stream === stream && entry?.stage && entry.spec === spec)
          chains[stream].push({ stage: entry.stage, signal: entry.abort.signal });
      }
    }
    this.chains = chains;
  }

  private socketClosed(): void {
    this.openSockets -= 1;
    if (this.openSockets === 1 && !this.connectStarted) this.server.destroy();
    if (this.openSockets > 0) return;
    clearTimeout(this.closeTimer);
    this.closing = true;
    for (const entry of this.applied.values()) {
      entry.abort.abort();
      entry.stage?.dispose?.();
    }
    this.applied.clear();
    this.chains = { upstream: [], downstream: [] };
    this.gate.open();
    this.deps.onClosed(this);
  }
}
