import {
  Metadata,
  status as Status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from '../logger.js';
import type { CallContext, Interceptor } from './context.js';
import { toWireError } from './status.js';
import { Cancelled, DeadlineExceeded, InvalidArgument } from '../errors.js';
import { UndecodableRequest } from './undecodable.js';

/** The subset of a generated service definition method that binding needs. */
interface MethodDef {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestDeserialize: (b: Buffer) => unknown;
  responseSerialize: (v: never) => Buffer;
}

/** An async unary handler: returns the response or throws a DomainError. */
export type UnaryHandler<Req, Res> = (req: Req, ctx: CallContext) => Promise<Res>;
/** A server-streaming handler: calls send() per message; resolves when the stream is complete. */
export type StreamHandler<Req, Res> = (req: Req, ctx: CallContext, send: (res: Res) => void) => Promise<void>;

/**
 * The handlers a service must provide, derived from its generated definition (ts-proto), so
 * request and response types always come from proto/.
 */
export type Handlers<D> = {
  [K in keyof D]: D[K] extends {
    requestDeserialize: (b: Buffer) => infer Req;
    responseSerialize: (v: infer Res) => Buffer;
    responseStream: infer RS;
  }
    ? RS extends true
      ? StreamHandler<Req, Res>
      : UnaryHandler<Req, Res>
    : never;
};

export interface BindOptions {
  logger: Logger;
  interceptors: Interceptor[];
  /** Deadline applied when the client sent none. */
  defaultDeadlineMs: number;
  /** Longest deadline honoured; longer client deadlines are shortened to this. */
  maxDeadlineMs: number;
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/**
 * Turns async handlers into a grpc-js service implementation with deadline enforcement, an
 * interceptor chain and the one error-to-status mapping.
 */
export function bindService<D extends Record<string, MethodDef>>(
  definition: D,
  handlers: Handlers<D>,
  opts: BindOptions,
): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  for (const [name, def] of Object.entries(definition)) {
    const handler = (handlers as Record<string, unknown>)[name];
    if (typeof handler !== 'function') throw new Error(`bindService: no handler for ${def.path}`);
    if (def.requestStream) throw new Error(`bindService: client streaming is not supported (${def.path})`);
    impl[name] = def.responseStream
      ? (call: ServerWritableStream<unknown, unknown>) => {
          const trailer = new Metadata();
          void run(
            def.path,
            call,
            opts,
            (ctx) =>
              (handler as StreamHandler<unknown, unknown>)(call.request, ctx, (res) => call.write(res)),
            trailer,
          ).then((err) => {
            if (err) call.emit('error', { code: err.code, details: err.details, metadata: err.metadata });
            else call.end(trailer);
          });
        }
      : (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
          let result: unknown;
          const trailer = new Metadata();
          void run(
            def.path,
            call,
            opts,
            async (ctx) => {
              result = await (handler as UnaryHandler<unknown, unknown>)(call.request, ctx);
            },
            trailer,
          ).then((err) => {
            if (err) callback({ code: err.code, details: err.details, metadata: err.metadata });
            else callback(null, result, trailer);
          });
        };
  }
  return impl;
}

interface Failure {
  code: Status;
  details: string;
  metadata: Metadata;
}

async function run(
  method: string,
  call: AnyCall,
  opts: BindOptions,
  body: (ctx: CallContext) => Promise<void>,
  trailer: Metadata,
): Promise<Failure | undefined> {
  const ctx = createContext(method, call, opts, trailer);
  const chain = opts.interceptors.reduceRight<() => Promise<unknown>>(
    (next, interceptor) => () => interceptor(ctx, next),
    () => body(ctx),
  );
  try {
    if (call.request instanceof UndecodableRequest)
      throw new InvalidArgument('request', `cannot be decoded: ${call.request.reason}`);
    if (ctx.remainingMs() <= 0) throw new DeadlineExceeded('deadline already passed on arrival');
    await raceDeadline(chain(), ctx);
    return undefined;
  } catch (err) {
    const wire = toWireError(err);
    if (wire.unexpected) ctx.logger.error({ err }, 'unexpected handler failure');
    return wire;
  } finally {
    (ctx as InternalContext).dispose();
  }
}

interface InternalContext extends CallContext {
  dispose(): void;
}

function createContext(method: string, call: AnyCall, opts: BindOptions, trailer: Metadata): InternalContext {
  const now = Date.now();
  const raw = call.getDeadline();
  const clientDeadline = raw instanceof Date ? raw.getTime() : raw;
  const deadline = Math.min(
    Number.isFinite(clientDeadline) ? clientDeadline : now + opts.defaultDeadlineMs,
    now + opts.maxDeadlineMs,
  );
  const controller = new AbortController();
  const onCancel = () => controller.abort(new Cancelled('cancelled by client'));
  call.on('cancelled', onCancel);
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded('deadline exceeded')), deadline - now);
  timer.unref();
  return {
    method,
    metadata: call.metadata,
    deadline,
    signal: controller.signal,
    logger: opts.logger.child({ method }),
    peer: call.getPeer(),
    trailer,
    remainingMs: () => Math.max(0, deadline - Date.now()),
    dispose: () => {
      clearTimeout(timer);
      call.removeListener('cancelled', onCancel);
    },
  };
}

/** Answers DEADLINE_EXCEEDED at the deadline even if the handler is still working. */
function raceDeadline(work: Promise<unknown>, ctx: CallContext): Promise<unknown> {
  if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        ctx.signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
