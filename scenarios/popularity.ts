import type { z } from 'zod';
import type { Random } from './random.js';
import type { Popularity } from './schema.js';

/**
 * Returns a function that picks a SKU index in [0, skus) according to the popularity model:
 * uniform, zipf (weight 1/k^s, via a precomputed CDF and binary search) or one hot SKU (index 0)
 * taking `share` of the picks.
 */
export function skuPicker(popularity: z.output<typeof Popularity>, skus: number, rand: Random): () => number {
  switch (popularity.kind) {
    case 'uniform':
      return () => Math.floor(rand.next() * skus);
    case 'hot':
      return () =>
        skus === 1 || rand.next() < popularity.share ? 0 : 1 + Math.floor(rand.next() * (skus - 1));
    case 'zipf': {
      const cdf = new Float64Array(skus);
      let sum = 0;
      for (let k = 0; k < skus; k++) {
        sum += 1 / (k + 1) ** popularity.exponent;
        cdf[k] = sum;
      }
      return () => {
        const r = rand.next() * sum;
        let lo = 0;
        let hi = skus - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((cdf[mid] ?? 0) > r) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      };
    }
  }
}
