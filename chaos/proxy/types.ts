/**
 * The proxy's model, in Toxiproxy's vocabulary: a proxy forwards one listen address to one
 * upstream; toxics act on one stream of every connection through it.
 */

/** "upstream" = client→server bytes, "downstream" = server→client bytes (Toxiproxy's streams). */
export type Stream = 'upstream' | 'downstream';

/** The two streams, in the order Toxiproxy lists toxics. */
export const STREAMS: readonly Stream[] = ['upstream', 'downstream'];

/** A toxic as the Toxiproxy API shows it. */
export interface ToxicJson {
  name: string;
  type: string;
  stream: Stream;
  /** Probability (0..1) that the toxic applies to a given connection. */
  toxicity: number;
  attributes: Record<string, number>;
}

/** What a caller sends to create a toxic; Toxiproxy's defaults fill the rest. */
export interface ToxicInput {
  /** Default `<type>_<stream>`. */
  name?: string;
  type: string;
  /** Default "downstream". */
  stream?: Stream;
  /** Default 1. */
  toxicity?: number;
  attributes?: Record<string, unknown>;
}

/** What an update may change on an existing toxic (Toxiproxy: attributes and toxicity). */
export interface ToxicPatch {
  toxicity?: number;
  attributes?: Record<string, unknown>;
}

/** A proxy as the Toxiproxy API shows it. */
export interface ProxyJson {
  name: string;
  /** The bound address, "127.0.0.1:PORT" (the real port once listening, even if 0 was asked). */
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/** What a stage may do to the connection it runs on. */
export interface StageContext {
  readonly stream: Stream;
  /** Aborted when the toxic is removed from the connection (or the connection ends). */
  readonly signal: AbortSignal;
  /** Uniform in [0, 1): the proxy set's (seedable) random source. */
  random(): number;
  /** Milliseconds on the proxy set's clock. */
  now(): number;
  /** Closes both sides gracefully (FIN after flushing), like Toxiproxy's stub.Close(). */
  close(): void;
  /** Closes both sides with a TCP RST. */
  reset(): void;
}

/** One toxic running on one stream of one connection. */
export interface Stage {
  /**
   * Handles one chunk read at `arrivedAt` (ctx.now clock) and hands its output, in order, to
   * `next`. Resolves once the chunk is fully handled. Once ctx.signal is aborted, data must pass
   * straight on: removing a toxic never loses or strands bytes (timeout excepted, like Toxiproxy).
   */
  process(chunk: Buffer, arrivedAt: number, next: (out: Buffer) => Promise<void>): Promise<void>;
  /** Clears timers; called when the toxic is removed or the connection ends. */
  dispose?(): void;
}

/**
 * A registered toxic type (Toxiproxy's toxics package: one file each, registered by name in one
 * list). `scope: 'stream'` toxics build a {@link Stage} per connection and stream; `scope: 'link'`
 * toxics (only `partition`) are handled by the connection itself on both streams.
 */
export interface ToxicType {
  readonly type: string;
  readonly description: string;
  readonly scope: 'stream' | 'link';
  /** Fills defaults and validates; throws InvalidArgument naming `attributes.<field>`. */
  parse(attributes: Record<string, unknown>): Record<string, number>;
  /** Builds the per-connection stage (scope 'stream' only). */
  stage?(attributes: Record<string, number>, ctx: StageContext): Stage;
}
