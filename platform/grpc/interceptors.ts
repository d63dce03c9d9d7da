import type { Metrics } from '../metrics.js';
import { methodLabels } from '../metrics.js';
import type { Interceptor } from './context.js';
import { toWireError } from './status.js';
import { status as Status } from '@grpc/grpc-js';

/** Records every served call in the RED histogram, labelled by the status code it ended with. */
export function metricsInterceptor(metrics: Metrics): Interceptor {
  return async (ctx, next) => {
    const end = metrics.rpcServerDuration.startTimer(methodLabels(ctx.method));
    try {
      const result = await next();
      end({ code: Status[Status.OK] });
      return result;
    } catch (err) {
      const wire = toWireError(err);
      end({ code: Status[wire.code] });
      if (wire.unexpected) metrics.unexpectedErrors.inc({ where: ctx.method });
      throw err;
    }
  };
}

/** Logs each call at debug, and calls that failed with a server-side code at warn. */
export function loggingInterceptor(): Interceptor {
  const serverSide = new Set<Status>([
    Status.INTERNAL,
    Status.UNAVAILABLE,
    Status.DEADLINE_EXCEEDED,
    Status.UNKNOWN,
  ]);
  return async (ctx, next) => {
    const started = Date.now();
    try {
      const result = await next();
      ctx.logger.debug({ ms: Date.now() - started }, 'ok');
      return result;
    } catch (err) {
      const wire = toWireError(err);
      const line = { ms: Date.now() - started, code: Status[wire.code], details: wire.details };
      if (serverSide.has(wire.code)) ctx.logger.warn(line, 'failed');
      else ctx.logger.debug(line, 'rejected');
      throw err;
    }
  };
}
