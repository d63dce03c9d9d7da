import { fraudScore, type FraudFeatures } from './crypto-work.js';

/** A task for the worker pool. */
export type WorkTask = { kind: 'fraud'; features: FraudFeatures; rounds: number };

/** Runs one task on a piscina thread: CPU-bound work kept off the service's event loop. */
export default function run(task: WorkTask): number {
  return fraudScore(task.features, task.rounds);
}
