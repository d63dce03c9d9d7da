import type { Fault } from '../fault.js';
import { gatewayErrors, gatewaySlow } from './gateway.js';
import { kill } from './kill.js';
import { linkLatency } from './link-latency.js';
import { mysqlPrimaryRestart } from './mysql-primary-restart.js';
import { mysqlReplicaLag } from './mysql-replica-lag.js';
import { pause } from './pause.js';
import { redisDown } from './redis-down.js';
import { zkPartition } from './zk-partition.js';
import { zkPause } from './zk-pause.js';

/** Every fault `ecom chaos --fault KIND:...` knows, by kind. */
export const FAULTS: Fault<never>[] = [
  zkPartition,
  zkPause,
  mysqlReplicaLag,
  mysqlPrimaryRestart,
  redisDown,
  gatewaySlow,
  gatewayErrors,
  kill,
  pause,
  linkLatency,
] as Fault<never>[];

export function faultByKind(kind: string): Fault<never> | undefined {
  return FAULTS.find((f) => f.kind === kind);
}
