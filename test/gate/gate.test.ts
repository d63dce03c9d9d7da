import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../harness.js';
import { GATE_REPLICAS } from './arbitraries.js';
import { runGate } from './gate.js';

/**
 * The property gate on a real stack. `npm test` runs the short gate: one case per fault kind with
 * the default lock strategy (plus GATE_RUNS random cases, default 0). `npm run gate -- --runs N`
 * runs N random cases more (scripts/gate.mjs sets GATE_RUNS and GATE_SEED).
 */
const runs = Number(process.env.GATE_RUNS ?? 0);
const seed = process.env.GATE_SEED === undefined ? undefined : Number(process.env.GATE_SEED);

describe('the invariant gate', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({ replicas: GATE_REPLICAS, serviceOverrides: GATE_OVERRIDES });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    'every invariant holds for generated scenarios under every kind of fault',
    async () => {
      const details = await runGate({
        stack,
        runs,
        seed,
        everyFaultKind: true,
        log: (l) => process.stderr.write(`[gate] ${l}\n`),
      });
      if (details.failed) {
        process.stderr.write(
          `[gate] FAILED — replay with GATE_SEED=${details.seed}\n${fc.defaultReportMessage(details)}\n`,
        );
      }
      expect(
        details.failed,
        `gate failed: seed ${details.seed}, counterexample ${JSON.stringify(details.counterexample)}`,
      ).toBe(false);
    },
    60 * 60_000,
  );
});

/** Short timeouts so that faults resolve and the gate converges within seconds. */
const GATE_OVERRIDES = {
  inventory: { inventory: { defaultTtlSeconds: 30 } },
};
