import { Network } from 'testcontainers';
import { startAll, type InfraContext, type InfraRuntime, type StartedInfra } from '../stack/infra.js';
import { freePorts } from '../stack/ports.js';
import { removeStackContainers } from './cleanup.js';
import { IMAGE_ENV, resolveImages, type ImageKind } from './image-names.js';
import { networkName } from './labels.js';
import { managedContainer, type ManagedContainer } from './managed-container.js';
import { MARIADB_PORT, mariaDbSpec } from './mariadb.js';
import { redisSpec, zooKeeperSpec } from './redis-zookeeper.js';
import { startContainerReplication } from './replication.js';

const INFRA_IMAGES = ['mariadb', 'redis', 'zookeeper'] as const;

/**
 * The `containers` runtime: MariaDB primary + GTID replica, Redis and ZooKeeper as containers
 * (through Testcontainers) on a user-defined network of their own, each published on a free port of
 * the host's 127.0.0.1, so service instances and the fault proxy reach them exactly as they reach
 * the processes runtime's servers. Every container is labelled with the stack folder.
 *
 * Testcontainers' reaper is off unless TESTCONTAINERS_RYUK_DISABLED says otherwise: its image
 * cannot be pulled without a registry, and `ecom down` removes a dead stack's containers by label.
 *
 * @param images explicit image names (flags); the rest as {@link resolveImages} chooses
 */
export function containersRuntime(images: Partial<Record<ImageKind, string>> = {}): InfraRuntime {
  return {
    name: 'containers',
    async start(ctx: InfraContext): Promise<StartedInfra> {
      process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
      const resolved = await resolveImages(images, INFRA_IMAGES);
      const image = (kind: (typeof INFRA_IMAGES)[number]) => resolved[kind]!.image;
      ctx.logger.info({ images: resolved }, 'containers runtime images');
      await removeStackContainers(ctx.dir);

      const [primaryPort, replicaPort, redisPort, zkPort] = (await freePorts(4)) as [
        number,
        number,
        number,
        number,
      ];
      const network = await new Network({ nextUuid: () => networkName(ctx.dir) }).start();
      const cctx = { dir: ctx.dir, network, logger: ctx.logger };
      const components: ManagedContainer[] = [
        mariaDbSpec({ role: 'primary', serverId: 1, image: image('mariadb'), hostPort: primaryPort }),
        mariaDbSpec({ role: 'replica', serverId: 2, image: image('mariadb'), hostPort: replicaPort }),
        redisSpec({ image: image('redis'), hostPort: redisPort }),
        zooKeeperSpec({ image: image('zookeeper'), hostPort: zkPort }),
      ].map((spec) => managedContainer(spec, cctx));

      let stopping: Promise<void> | undefined;
      const stop = () =>
        (stopping ??= (async () => {
          await Promise.allSettled(components.map((c) => c.remove()));
          await network
            .stop()
            .catch((err: unknown) => ctx.logger.warn({ err }, 'removing the stack network failed'));
        })());
      const at = (port: number) => ({ host: '127.0.0.1', port });
      try {
        await startAll(components, ctx.onProgress).catch((err: unknown) => {
          throw withImageHint(err, resolved);
        });
        ctx.onProgress('replication', 'starting');
        await startContainerReplication(
          at(primaryPort),
          at(replicaPort),
          { host: 'mysql-primary', port: MARIADB_PORT },
          (sql) => rootSql(components[1]!, sql),
        );
        ctx.onProgress('replication', 'ready');
      } catch (err) {
        await stop();
        throw err;
      }
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
}

/** Adds what to do when an image was not on the machine (it had to be pulled, and that failed). */
function withImageHint(err: unknown, resolved: Awaited<ReturnType<typeof resolveImages>>): Error {
  const absent = Object.entries(resolved).filter(([, r]) => !r.present);
  const e = err instanceof Error ? err : new Error(String(err));
  if (absent.length === 0) return e;
  const names = absent.map(([kind, r]) => `${r.image} (${IMAGE_ENV[kind as ImageKind]})`).join(', ');
  e.message +=
    `\nimages not present locally: ${names}. Without registry access, build local ones with ` +
    '`ecom images build` (they are then used by default), or name other images with the variables shown.';
  return e;
}

/** Runs one statement as root through the mariadb client inside a MariaDB container. */
async function rootSql(mysql: ManagedContainer, sql: string): Promise<void> {
  const result = await mysql.container()!.exec(['mariadb', '-uroot', '-e', sql]);
  if (result.exitCode !== 0) throw new Error(`${mysql.state.name}: ${sql} failed: ${result.output.trim()}`);
}
