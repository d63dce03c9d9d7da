import type { ToxicType } from '../types.js';
import { integerAttributes } from './attributes.js';

/**
 * `timeout` (a black hole): no data passes while it is on. Like Toxiproxy, data read meanwhile is
 * discarded, so a connection that lived through it may be out of step afterwards (use `partition`
 * to hold data instead). With `timeout` > 0 the connection is closed that many ms after the toxic
 * reached it; 0 holds it open forever.
 */
export const timeout: ToxicType = {
  type: 'timeout',
  description: 'stop all data; close the connection after timeout ms (0: never)',
  scope: 'stream',
  parse: (attrs) => integerAttributes(attrs, { timeout: { default: 0, min: 0 } }),
  stage(attrs, ctx) {
    const ms = attrs.timeout ?? 0;
    const timer = ms > 0 ? setTimeout(() => ctx.close(), ms) : undefined;
    return {
      async process(chunk, _arrivedAt, next) {
        if (ctx.signal.aborted) await next(chunk);
      },
      dispose: () => clearTimeout(timer),
    };
  },
};
