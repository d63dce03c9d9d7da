/** A seeded source of uniform numbers in [0, 1), so a run of the simulator can be replayed. */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for simulated outcomes (not for secrets). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** z-score of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

/**
 * Draws a latency from a log-normal distribution with the given median and 99th percentile (ms).
 * p50 = p99 gives a constant; p50 = 0 gives 0 (no latency).
 */
export function logNormalMs(random: Random, p50: number, p99: number): number {
  if (p50 <= 0) return 0;
  if (p99 <= p50) return p50;
  const mu = Math.log(p50);
  const sigma = (Math.log(p99) - mu) / Z99;
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - random();
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(Math.exp(mu + sigma * z), 120_000);
}
