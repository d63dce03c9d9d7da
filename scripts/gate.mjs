#!/usr/bin/env node
// `npm run gate -- --runs N [--seed S]`: the long property gate — N generated cases (scenario
// parameters × fault schedules) on a real stack, after one case per fault kind.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const value = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = value('--runs') ?? '20';
const seed = value('--seed');
if (!/^\d+$/.test(runs) || (seed !== undefined && !/^\d+$/.test(seed))) {
  console.error('usage: npm run gate -- [--runs N] [--seed S]');
  process.exit(2);
}
const env = { ...process.env, GATE_RUNS: runs, ...(seed ? { GATE_SEED: seed } : {}) };
const r = spawnSync('npx', ['vitest', 'run', '--project', 'integration', 'test/gate/gate.test.ts'], {
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);
