import type { ToxicType } from '../types.js';
import { integerAttributes } from './attributes.js';

/**
 * `limit_data`: lets `bytes` bytes through on this stream of the connection, then closes the
 * connection (FIN after the last allowed byte). Counting starts when the toxic reaches the
 * connection.
 */
export const limitData: ToxicType = {
  type: 'limit_data',
  description: 'close the connection after bytes bytes',
  scope: 'stream',
  parse: (attrs) => integerAttributes(attrs, { bytes: { default: 0, min: 0 } }),
  stage(attrs, ctx) {
    const limit = attrs.bytes ?? 0;
    let sent = 0;
    return {
      async process(chunk, _arrivedAt, next) {
        if (ctx.signal.aborted) return next(chunk);
        const allowed = chunk.subarray(0, Math.max(0, limit - sent));
        sent += allowed.length;
        if (allowed.length > 0) await next(allowed);
        if (sent >= limit) ctx.close();
      },
    };
  },
};
