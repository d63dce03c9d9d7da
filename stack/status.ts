import { createConnection } from 'mysql2/promise';
import { checkHealth } from '../platform/grpc/health-client.js';
import { heartbeatLagSeconds } from './heartbeat.js';
import { mariaDbAnswers } from './processes/mariadb.js';
import { redisPing } from './processes/redis.js';
import { replicationStatus } from './processes/replication-status.js';
import { fourLetterWord } from './processes/zookeeper.js';
import { pidAlive } from './state.js';
import type { ComponentState, StackState } from './types.js';

/** `ecom status --json`, as the CLI contract defines it. */
export interface StackStatus {
  runtime: StackState['runtime'];
  dir: string;
  startedAt: string;
  components: (ComponentState & { healthy: boolean; detail?: string })[];
  replication: { running: boolean; lagSeconds: number | null; lastError: string | null };
}

/**
 * Asks every component of a stack, in parallel, whether it is healthy: services through
 * grpc.health.v1, MySQL with SELECT 1, Redis with PING, ZooKeeper with `srvr`; and the replica
 * for its replication threads and heartbeat lag.
 */
export async function stackStatus(state: StackState): Promise<StackStatus> {
  const [components, replication] = await Promise.all([
    Promise.all(state.components.map((c) => componentHealth(c))),
    replicationOf(state),
  ]);
  return { runtime: state.runtime, dir: state.dir, startedAt: state.startedAt, components, replication };
}

async function componentHealth(c: ComponentState): Promise<StackStatus['components'][number]> {
  const [host = '127.0.0.1', portText = '0'] = c.endpoint.split(':');
  const port = Number(portText);
  if (c.pid !== undefined && !pidAlive(c.pid))
    return { ...c, healthy: false, detail: `process ${c.pid} is gone` };
  try {
    switch (c.kind) {
      case 'service': {
        const s = await checkHealth(c.endpoint, '', 1_000);
        return { ...c, healthy: s === 'SERVING', ...(s === 'SERVING' ? {} : { detail: s }) };
      }
      case 'mysql':
        return { ...c, healthy: await mariaDbAnswers(host, port) };
      case 'redis':
        return { ...c, healthy: await redisPing(host, port) };
      case 'zookeeper': {
        const reply = await fourLetterWord(host, port, 'srvr', 1_000);
        return { ...c, healthy: /^Mode: /m.test(reply) };
      }
      default:
        return { ...c, healthy: true };
    }
  } catch (err) {
    return { ...c, healthy: false, detail: (err as Error).message };
  }
}

async function replicationOf(state: StackState): Promise<StackStatus['replication']> {
  try {
    const conn = await createConnection({
      host: state.infra.mysqlReplica.host,
      port: state.infra.mysqlReplica.port,
      ...state.mysql,
      connectTimeout: 1_000,
    });
    try {
      const status = await replicationStatus(conn);
      const lag = await heartbeatLagSeconds(conn).catch(() => null);
      return {
        running: status.running,
        lagSeconds: lag ?? status.secondsBehind,
        lastError: status.lastError,
      };
    } finally {
      conn.destroy();
    }
  } catch (err) {
    return { running: false, lagSeconds: null, lastError: (err as Error).message };
  }
}
