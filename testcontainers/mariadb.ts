import { mariaDbAnswers, mariaDbConfig } from '../stack/processes/mariadb.js';
import { BOOTSTRAP_SQL } from '../stack/processes/mariadb-template.js';
import type { ContainerSpec } from './managed-container.js';

/** The port MariaDB listens on inside its container (both images). */
export const MARIADB_PORT = 3306;

// Settings that belong to one host (paths, port, bind address, the user to run as): the image
// decides those inside the container.
const HOST_SPECIFIC = new Set(['user', 'datadir', 'socket', 'pid-file', 'tmpdir', 'port', 'bind-address']);

/**
 * The server flags of one instance: exactly the processes runtime's my.cnf (ROW binlog with GTIDs,
 * strict GTID mode, the replica read-only with parallel apply), minus what is specific to a host.
 */
export function mariaDbServerArgs(role: 'primary' | 'replica', serverId: number): string[] {
  const cnf = mariaDbConfig({
    role,
    serverId,
    datadir: '-',
    socket: '-',
    pidFile: '-',
    tmpdir: '-',
    port: MARIADB_PORT,
  });
  return cnf
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('['))
    .filter((line) => !HOST_SPECIFIC.has(line.split('=')[0]!))
    .map((line) => `--${line}`)
    .concat('--bind-address=0.0.0.0');
}

/**
 * A MariaDB container (official `mariadb` image or `ecom/mariadb`): the server flags as its
 * command, the stack's users created by an init script on first start — the same SQL as the
 * processes runtime's template, with binary logging off so neither server starts with GTIDs of
 * its own — and root only inside the container.
 */
export function mariaDbSpec(opts: {
  role: 'primary' | 'replica';
  serverId: number;
  image: string;
  hostPort: number;
}): ContainerSpec {
  return {
    name: `mysql-${opts.role}`,
    kind: 'mysql',
    image: opts.image,
    port: MARIADB_PORT,
    hostPort: opts.hostPort,
    command: mariaDbServerArgs(opts.role, opts.serverId),
    env: { MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: '1', MARIADB_ROOT_HOST: 'localhost' },
    files: [
      {
        content: `SET SESSION sql_log_bin = 0;\n${BOOTSTRAP_SQL}`,
        target: '/docker-entrypoint-initdb.d/00-ecom.sql',
        mode: 0o644,
      },
    ],
    probe: (host, port) => mariaDbAnswers(host, port),
    stopTimeoutS: 30,
  };
}
