import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded random source: the same seed replays the same run. */
export interface Random {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** An index chosen with probability proportional to its weight. */
  weighted(weights: readonly number[]): number;
}

/** A seeded xoroshiro128+ source (pure-rand). */
export function createRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed | 0);
  // The first outputs of xoroshiro from a small seed are poorly mixed; skip them.
  for (let i = 0; i < 20; i++) uniformFloat64(rng);
  const next = () => uniformFloat64(rng);
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    weighted(weights) {
      const total = weights.reduce((a, b) => a + b, 0);
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] ?? 0;
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
  };
}

/** A fresh seed for a run, printed so the run can be replayed. */
export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
