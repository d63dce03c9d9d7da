import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  startAll,
  type ManagedComponent,
  type InfraContext,
  type InfraRuntime,
  type StartedInfra,
} from '../infra.js';
import { freePorts } from '../ports.js';
import type { ComponentKind } from '../types.js';
import {
  ensureMariaDbTemplate,
  startMariaDb,
  startReplication,
  type StartMariaDbOptions,
} from './mariadb.js';
import { startRedis } from './redis.js';
import { stillRunning } from './child.js';
import type { StartedServer } from './started.js';
import { startZooKeeper } from './zookeeper.js';

/** Where the initialised MariaDB datadir template is cached, shared by every stack of this user. */
export function cacheDir(): string {
  return process.env.ECOM_CACHE ?? join(homedir(), '.cache', 'ecom');
}

/**
 * The `processes` runtime: MariaDB primary + GTID replica, Redis and ZooKeeper as child processes
 * of the supervisor on free loopback ports, started in parallel, data under dir/data.
 */
export const processesRuntime: InfraRuntime = {
  name: 'processes',
  async start(ctx: InfraContext): Promise<StartedInfra> {
    const [primaryPort, replicaPort, redisPort, zkPort] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const data = (name: string) => join(ctx.dir, 'data', name);
    const templateDir = await ensureMariaDbTemplate(cacheDir(), ctx.logger);
    const mysqlOpts = (role: 'primary' | 'replica', port: number, serverId: number): StartMariaDbOptions => ({
      name: `mysql-${role}`,
      role,
      dir: data(`mysql-${role}`),
      port,
      serverId,
      templateDir,
      logger: ctx.logger,
    });

    const specs: { name: string; kind: ComponentKind; start: () => Promise<StartedServer> }[] = [
      {
        name: 'mysql-primary',
        kind: 'mysql',
        start: () => startMariaDb(mysqlOpts('primary', primaryPort, 1)),
      },
      {
        name: 'mysql-replica',
        kind: 'mysql',
        start: () => startMariaDb(mysqlOpts('replica', replicaPort, 2)),
      },
      {
        name: 'redis',
        kind: 'redis',
        start: () => startRedis({ name: 'redis', dir: data('redis'), port: redisPort, logger: ctx.logger }),
      },
      {
        name: 'zookeeper',
        kind: 'zookeeper',
        start: () =>
          startZooKeeper({ name: 'zookeeper', dir: data('zookeeper'), port: zkPort, logger: ctx.logger }),
      },
    ];
    const components = specs.map((s) => managedServer(s.name, s.kind, s.start));
    const stop = async () => {
      await Promise.allSettled(components.map((c) => c.stop()));
    };
    try {
      await startAll(components, ctx.onProgress);
      ctx.onProgress('replication', 'starting');
      await startReplication(components[1]!.server()!, { host: '127.0.0.1', port: primaryPort });
      ctx.onProgress('replication', 'ready');
    } catch (err) {
      await stop();
      throw err;
    }
    const at = (port: number) => ({ host: '127.0.0.1', port });
    return {
      endpoints: {
        mysqlPrimary: at(primaryPort),
        mysqlReplica: at(replicaPort),
        redis: at(redisPort),
        zookeeper: at(zkPort),
      },
      components,
      stop,
    };
  },
};

/** A child-process server that can be stopped, started again (same port and data) and signalled. */
function managedServer(
  name: string,
  kind: ComponentKind,
  startServer: () => Promise<StartedServer>,
): ManagedComponent & { server(): StartedServer | undefined } {
  let server: StartedServer | undefined;
  const state: ManagedComponent['state'] = { name, kind, endpoint: '' };
  return {
    state,
    server: () => server,
    running: () => server?.child.running() ?? false,
    async start() {
      if (await stillRunning(server?.child)) return;
      server = await startServer();
      state.pid = server.pid;
      state.endpoint = `${server.host}:${server.port}`;
    },
    async stop() {
      await server?.stop();
    },
    async signal(sig) {
      server?.child.signal(sig);
    },
  };
}
