import { workerData } from 'node:worker_threads';
import { fraudScore, hmacHex, type FraudFeatures } from './crypto-work.js';

/** A task for the worker pool. */
export type WorkTask =
  { kind: 'sign'; payload: string } | { kind: 'fraud'; features: FraudFeatures; rounds: number };

// The signing secret reaches the threads once, as workerData, never inside each task.
const secret = (workerData as { signingSecret?: string } | null)?.signingSecret;

/** Runs one task on a piscina thread: CPU-bound work kept off the service's event loop. */
export default function run(task: WorkTask): string | number {
  switch (task.kind) {
    case 'sign':
      if (!secret) throw new Error('no signing secret configured');
      return hmacHex(secret, task.payload);
    case 'fraud':
      return fraudScore(task.features, task.rounds);
  }
}
