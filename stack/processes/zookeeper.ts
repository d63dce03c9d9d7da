import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { MissingDependencyError, requireExecutable } from '../which.js';
import { spawnChild } from './child.js';
import { startedServer, type StartedServer } from './started.js';
import { tcpRequest } from './tcp-probe.js';
import { waitFor } from './wait.js';

/** Options of {@link startZooKeeper}. */
export interface StartZooKeeperOptions {
  /** Component name, e.g. "zookeeper". */
  name: string;
  /** Folder owned by this instance: zoo.cfg, data, log. */
  dir: string;
  port: number;
  logger: Logger;
  /** Default 60 s (a cold JVM on a busy 2-core machine). */
  readyTimeoutMs?: number;
}

/** A running standalone ZooKeeper; see {@link startZooKeeper}. */
export type StartedZooKeeper = StartedServer;

const JAVA_DIR = '/usr/share/java';

/**
 * The jars ZooKeeper runs from, and which of the ones we rely on are missing.
 *
 * Why not zkEnv.sh or `dpkg -L`: Debian's zkEnv.sh sets `CLASSPATH=/etc/zookeeper/conf:zookeeper.jar`,
 * i.e. the same jar plus the system config folder we must not read, and `dpkg -L` lists only the
 * package's own jars, not its dependencies'. What resolves jute, netty, slf4j-api, jackson and jetty
 * is the `Class-Path` entry that Debian's javahelper writes into zookeeper.jar's manifest from the
 * package's declared dependencies, so putting zookeeper.jar on the class path is enough and stays
 * right across Debian releases. The one thing the manifest leaves out on purpose is an slf4j
 * binding: without one slf4j silently drops every log line, so we add slf4j-simple (same package as
 * slf4j-api), which logs to stderr, i.e. into the instance's log file.
 * ZOOKEEPER_HOME (an upstream tarball: everything, logback included, in lib/) takes precedence.
 */
export function zooKeeperClasspath(env: NodeJS.ProcessEnv = process.env): {
  classpath: string[];
  missing: string[];
} {
  if (env.ZOOKEEPER_HOME) {
    const lib = path.join(env.ZOOKEEPER_HOME, 'lib');
    const found = fs.existsSync(lib) && fs.readdirSync(lib).some((f) => /^zookeeper-\d.*\.jar$/.test(f));
    return {
      classpath: [path.join(lib, '*')],
      missing: found ? [] : [path.join(lib, 'zookeeper-<version>.jar')],
    };
  }
  const classpath = ['zookeeper.jar', 'slf4j-simple.jar'].map((j) => path.join(JAVA_DIR, j));
  const required = [
    ...classpath,
    ...['zookeeper-jute.jar', 'slf4j-api.jar', 'netty-handler.jar'].map((j) => path.join(JAVA_DIR, j)),
  ];
  return { classpath, missing: required.filter((j) => !fs.existsSync(j)) };
}

/** `$JAVA_HOME/bin/java` if that exists, else `java` from PATH. */
export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const fromHome = env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : undefined;
  if (fromHome && fs.existsSync(fromHome)) return fromHome;
  return requireExecutable('java', 'default-jre-headless');
}

/** The zoo.cfg of one standalone instance (pure, for tests). */
export function zooKeeperConfig(dataDir: string, port: number): string {
  return [
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    'clientPortAddress=127.0.0.1',
    // The admin server would otherwise take port 8080.
    'admin.enableServer=false',
    'tickTime=500',
    'minSessionTimeout=1000',
    'maxSessionTimeout=30000',
    '4lw.commands.whitelist=srvr,ruok,mntr,stat',
    // Every client connects from 127.0.0.1; the default cap of 60 per address is too low for a stack.
    'maxClientCnxns=0',
    // Transaction logs are preallocated in 64 MiB steps by default; 4 MiB is plenty for a test stack.
    'preAllocSize=4096',
    '',
  ].join('\n');
}

/** Sends a four-letter word ("srvr", "ruok", "mntr") and returns the whole reply. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2_000): Promise<string> {
  return tcpRequest(host, port, word, { timeoutMs });
}

/**
 * Starts a standalone ZooKeeper on 127.0.0.1:`port` by running QuorumPeerMain directly (zkServer.sh
 * would read /etc/zookeeper and open JMX on all interfaces), with a small JVM footprint and no JMX
 * port. Resolves once `srvr` answers with a `Mode:` line.
 */
export async function startZooKeeper(opts: StartZooKeeperOptions): Promise<StartedZooKeeper> {
  const java = javaExecutable();
  const { classpath, missing } = zooKeeperClasspath();
  if (missing.length > 0) {
    throw new MissingDependencyError(`ZooKeeper jars missing: ${missing.join(', ')}`, ['zookeeper']);
  }
  const dir = path.resolve(opts.dir);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const cfg = path.join(dir, 'zoo.cfg');
  fs.writeFileSync(cfg, zooKeeperConfig(dataDir, opts.port));

  const started = Date.now();
  const child = spawnChild({
    name: opts.name,
    command: java,
    args: [
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      // No hsperfdata file in /tmp per JVM.
      '-XX:-UsePerfData',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      '-Dzookeeper.jmx.log4j.disable=true',
      '-Dzookeeper.admin.enableServer=false',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
      '-Dorg.slf4j.simpleLogger.showDateTime=true',
      "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
      '-cp',
      classpath.join(path.delimiter),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      cfg,
    ],
    cwd: dir,
    logFile: path.join(dir, 'zookeeper.log'),
  });
  const server = startedServer(child, opts.port);
  try {
    await waitFor(async () => /^Mode: /m.test(await fourLetterWord('127.0.0.1', opts.port, 'srvr', 1_000)), {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      intervalMs: 50,
      what: `${opts.name} (ZooKeeper on 127.0.0.1:${opts.port})`,
      child,
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  opts.logger.info(
    { name: opts.name, port: opts.port, pid: child.pid, readyMs: Date.now() - started },
    'zookeeper ready',
  );
  return server;
}
