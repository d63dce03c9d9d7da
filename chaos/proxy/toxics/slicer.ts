import { InvalidArgument } from '../../../platform/errors.js';
import { sleep } from '../sleep.js';
import type { ToxicType } from '../types.js';
import { integerAttributes } from './attributes.js';

/**
 * `slicer`: cuts every chunk into slices of `average_size` ± `size_variation` bytes, `delay` µs
 * apart (TCP delivering a message in pieces). All bytes arrive, in order.
 */
export const slicer: ToxicType = {
  type: 'slicer',
  description: 'slice data into average_size ± size_variation byte pieces, delay µs apart',
  scope: 'stream',
  parse(attrs) {
    const a = integerAttributes(attrs, {
      average_size: { default: 0, min: 1 },
      size_variation: { default: 0, min: 0 },
      delay: { default: 0, min: 0 },
    });
    if (a.size_variation >= a.average_size)
      throw new InvalidArgument('attributes.size_variation', 'must be smaller than average_size');
    return a;
  },
  stage(attrs, ctx) {
    const average = attrs.average_size ?? 1;
    const variation = attrs.size_variation ?? 0;
    const delayMs = (attrs.delay ?? 0) / 1000;
    return {
      async process(chunk, _arrivedAt, next) {
        for (let offset = 0; offset < chunk.length;) {
          if (ctx.signal.aborted) return next(chunk.subarray(offset));
          const size = average + Math.floor(ctx.random() * (2 * variation + 1)) - variation;
          const piece = chunk.subarray(offset, offset + size);
          offset += piece.length;
          await next(piece);
          if (offset < chunk.length) await sleep(delayMs, ctx.signal);
        }
      },
    };
  },
};
