import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status as Status,
  type Client,
  type ClientReadableStream,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Metrics } from '../metrics.js';
import { methodLabels } from '../metrics.js';
import { startClientSpan } from '../tracing/grpc.js';
import type { CallContext } from './context.js';

/** Per-call options of a {@link PromiseClient} method. */
export interface CallOptions {
  /** This call's deadline; default: the client's default. Never later than the parent's. */
  deadlineMs?: number;
  /** The server call being served, whose deadline (and cancellation) this call inherits. */
  parent?: CallContext;
  metadata?: Metadata;
  signal?: AbortSignal;
  /** Receives the response's trailing metadata (unary calls; before the promise settles). */
  onTrailer?: (trailer: Metadata) => void;
}

type MethodOf<M> = M extends {
  requestSerialize: (v: infer Req) => Buffer;
  responseDeserialize: (b: Buffer) => infer Res;
  responseStream: infer RS;
}
  ? RS extends true
    ? (req: Req, opts?: CallOptions) => ClientReadableStream<Res>
    : (req: Req, opts?: CallOptions) => Promise<Res>
  : never;

/** A promise-returning client derived from a generated service definition. */
export type PromiseClient<D> = { [K in keyof D]: MethodOf<D[K]> } & {
  /** The underlying grpc-js client (channel state, waitForReady). */
  readonly raw: Client;
  close(): void;
};

export interface ClientOptions {
  /** Label for metrics and errors, e.g. "inventory". */
  name: string;
  /** "host:port" of every instance; calls are spread round-robin over them. */
  addresses: string[];
  defaultDeadlineMs: number;
  metrics?: Metrics;
  /** Extra channel options. */
  channelOptions?: Record<string, string | number>;
}

/**
 * The grpc-js target for a list of addresses: IPv4 literals become one `ipv4:` target (one channel,
 * round_robin over all of them); a single host name becomes a `dns:` target, round_robin over every
 * address it resolves to (a Kubernetes headless Service: one name, one address per pod).
 */
export function ipv4Target(addresses: string[]): string {
  const literal = /^\d{1,3}(\.\d{1,3}){3}:\d+$/;
  if (addresses.every((a) => literal.test(a))) return `ipv4:${addresses.join(',')}`;
  if (addresses.length === 1) return `dns:///${addresses[0]}`;
  throw new Error(
    `addresses: either IPv4 host:port literals, or one host name (got ${addresses.join(', ')})`,
  );
}

/**
 * Creates a client over every instance of a service: round_robin load balancing, a default
 * deadline on every call, deadline and cancellation inherited from the parent call, and client
 * RED metrics.
 */
export function createClient<D extends Record<string, { path: string; responseStream: boolean }>>(
  definition: D,
  opts: ClientOptions,
): PromiseClient<D> {
  if (opts.addresses.length === 0) throw new Error(`createClient(${opts.name}): no addresses`);
  const Ctor = makeGenericClientConstructor(definition as unknown as ServiceDefinition, opts.name);
  const raw = new Ctor(ipv4Target(opts.addresses), credentials.createInsecure(), {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'grpc.keepalive_time_ms': 30_000,
    'grpc.enable_retries': 0,
    ...opts.channelOptions,
  }) as unknown as Client & Record<string, (...args: unknown[]) => unknown>;

  const deadlineFor = (o: CallOptions | undefined): Date =>
    new Date(Date.now() + callDeadlineMs(o, opts.defaultDeadlineMs));

  const client: Record<string, unknown> = {
    raw,
    close: () => raw.close(),
  };
  for (const [name, def] of Object.entries(definition)) {
    const labels = methodLabels(def.path);
    const method = raw[name]!.bind(raw);
    if (def.responseStream) {
      client[name] = (req: unknown, o?: CallOptions) => {
        const span = startClientSpan(def.path);
        const stream = method(req, span.metadata(o?.metadata), {
          deadline: deadlineFor(o),
        }) as ClientReadableStream<unknown>;
        stream.on('status', (s: { code: number; details: string }) => span.end(s.code, s.details));
        for (const s of callSignals(o)) s.addEventListener('abort', () => stream.cancel(), { once: true });
        return stream;
      };
      continue;
    }
    client[name] = (req: unknown, o?: CallOptions) =>
      new Promise((resolve, reject) => {
        const end = opts.metrics?.rpcClientDuration.startTimer(labels);
        const signals = callSignals(o);
        if (signals.some((s) => s.aborted)) {
          reject(cancelledError(def.path));
          return;
        }
        const span = startClientSpan(def.path);
        const call = method(
          req,
          span.metadata(o?.metadata),
          { deadline: deadlineFor(o) },
          (err: ServiceError | null, res: unknown) => {
            for (const s of signals) s.removeEventListener('abort', onAbort);
            end?.({ code: Status[err ? err.code : Status.OK] });
            span.end(err ? err.code : Status.OK, err?.details);
            if (err) reject(err);
            else resolve(res);
          },
        ) as { cancel(): void; on(event: 'status', fn: (s: { metadata: Metadata }) => void): void };
        if (o?.onTrailer) call.on('status', (s) => o.onTrailer?.(s.metadata));
        const onAbort = () => call.cancel();
        for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      });
  }
  return client as PromiseClient<D>;
}

/** How long a call may take: its own deadline (or the client's default), never past its parent's. */
export function callDeadlineMs(o: CallOptions | undefined, defaultMs: number): number {
  const ms = o?.deadlineMs ?? defaultMs;
  return o?.parent ? Math.min(ms, o.parent.remainingMs()) : ms;
}

/** What cancels a call: its own signal and its parent call's. */
export function callSignals(o: CallOptions | undefined): AbortSignal[] {
  return [o?.signal, o?.parent?.signal].filter((s): s is AbortSignal => s !== undefined);
}

function cancelledError(path: string): ServiceError {
  return Object.assign(new Error(`${path}: cancelled before it was sent`), {
    code: Status.CANCELLED,
    details: 'cancelled before it was sent',
    metadata: new Metadata(),
  });
}
