import { redisPing } from '../stack/processes/redis.js';
import { fourLetterWord, zooKeeperConfig } from '../stack/processes/zookeeper.js';
import type { ContainerSpec } from './managed-container.js';

/**
 * A Redis container (official `redis` image or `ecom/redis`) configured as the processes runtime
 * runs it: no persistence. Protected mode is off because clients come through the published port,
 * i.e. not from the container's loopback; the port is published on the host's 127.0.0.1 only.
 */
export function redisSpec(opts: { image: string; hostPort: number }): ContainerSpec {
  return {
    name: 'redis',
    kind: 'redis',
    image: opts.image,
    port: 6379,
    hostPort: opts.hostPort,
    command: ['redis-server', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
    probe: (host, port) => redisPing(host, port),
  };
}

/**
 * A standalone ZooKeeper container (official `zookeeper` image or `ecom/zookeeper`) with the
 * processes runtime's zoo.cfg (short ticks and session bounds for fast tests, no admin server,
 * `srvr` allowed) written to /conf/zoo.cfg, where both images look first, listening on every
 * interface of the container.
 */
export function zooKeeperSpec(opts: { image: string; hostPort: number }): ContainerSpec {
  const cfg = zooKeeperConfig('/data', 2181)
    .split('\n')
    .filter((line) => !line.startsWith('clientPortAddress='))
    .join('\n');
  return {
    name: 'zookeeper',
    kind: 'zookeeper',
    image: opts.image,
    port: 2181,
    hostPort: opts.hostPort,
    env: {
      ZK_SERVER_HEAP: '128',
      SERVER_JVMFLAGS:
        '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError',
    },
    files: [{ content: cfg, target: '/conf/zoo.cfg', mode: 0o644 }],
    probe: async (host, port) => /^Mode: /m.test(await fourLetterWord(host, port, 'srvr', 1_000)),
  };
}
