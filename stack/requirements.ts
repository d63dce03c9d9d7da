import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { javaExecutable, zooKeeperClasspath } from './processes/zookeeper.js';
import { findExecutable } from './which.js';

const run = promisify(execFile);

/** What `ecom doctor` reports for one requirement. */
export interface RequirementResult {
  name: string;
  /** The runtime that needs it; 'optional' for extras (Prometheus, a browser for reports). */
  runtime: 'processes' | 'containers' | 'optional';
  ok: boolean;
  /** What was found (paths, versions) or what is wrong. */
  detail: string;
  /** Debian packages that provide it (what `ecom doctor --fix` installs). */
  debianPackages: string[];
  /** How to fix it; '' when ok. */
  hint: string;
}

type Check = Omit<RequirementResult, 'hint'> & { hint?: string };

const installHint = (pkgs: string[]): string =>
  `apt-get install -y --no-install-recommends ${pkgs.join(' ')} (or \`ecom doctor --fix\` as root)`;

/** First line of a command's output, or null if it fails or takes longer than `timeoutMs`. */
async function firstLine(cmd: string, args: string[], timeoutMs = 2_000): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: timeoutMs });
    return (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

async function binaries(
  name: string,
  runtime: RequirementResult['runtime'],
  names: string[],
  pkg: string,
  versionArgs?: string[],
): Promise<Check> {
  const found = names.map((n) => [n, findExecutable(n)] as const);
  const missing = found.filter(([, p]) => p === null).map(([n]) => n);
  if (missing.length > 0) {
    return { name, runtime, ok: false, detail: `not found: ${missing.join(', ')}`, debianPackages: [pkg] };
  }
  const paths = found.map(([, p]) => p).join(', ');
  const version = versionArgs ? await firstLine(found[0]?.[1] as string, versionArgs) : null;
  return {
    name,
    runtime,
    ok: true,
    detail: version ? `${paths} (${version})` : paths,
    debianPackages: [pkg],
  };
}

async function java(): Promise<Check> {
  const base = { name: 'java', runtime: 'processes' as const, debianPackages: ['default-jre-headless'] };
  let path: string;
  try {
    path = javaExecutable();
  } catch {
    return { ...base, ok: false, detail: 'java not found on PATH or in $JAVA_HOME/bin' };
  }
  const version = await firstLine(path, ['-version'], 5_000);
  if (version === null) return { ...base, ok: false, detail: `${path} -version failed` };
  return { ...base, ok: true, detail: `${path} (${version})` };
}

async function zookeeperJars(): Promise<Check> {
  const { classpath, missing } = zooKeeperClasspath();
  const base = { name: 'zookeeper', runtime: 'processes' as const, debianPackages: ['zookeeper'] };
  if (missing.length > 0) return { ...base, ok: false, detail: `missing: ${missing.join(', ')}` };
  return { ...base, ok: true, detail: classpath.join(':') };
}

async function docker(): Promise<Check> {
  const base = { name: 'docker', runtime: 'containers' as const, debianPackages: ['docker.io'] };
  const cli = findExecutable('docker');
  if (cli === null) return { ...base, ok: false, detail: 'docker CLI not found' };
  const version = await firstLine(cli, ['info', '--format', '{{.ServerVersion}}'], 2_000);
  if (version === null || version === '') {
    return {
      ...base,
      ok: false,
      detail: `${cli} found, but no engine answered \`docker info\` within 2 s`,
      hint: 'start the engine (Debian docker.io, as root): `dockerd > /var/log/dockerd.log 2>&1 &`',
    };
  }
  return { ...base, ok: true, detail: `${cli}, engine ${version}` };
}

// Each infrastructure image: the official name, then its `ecom images build` equivalent
// (testcontainers/image-names.ts; not imported, to keep this check free of Testcontainers).
const CONTAINER_IMAGES = [
  ['mariadb:10.11', 'ecom/mariadb:10.11', 'ECOM_IMAGE_MARIADB'],
  ['redis:7', 'ecom/redis:7', 'ECOM_IMAGE_REDIS'],
  ['zookeeper:3.8', 'ecom/zookeeper:3.8', 'ECOM_IMAGE_ZOOKEEPER'],
] as const;

async function containerImages(): Promise<Check> {
  // No package provides them: these are what `ecom images build` needs to make them.
  const base = {
    name: 'images',
    runtime: 'containers' as const,
    debianPackages: ['docker.io', 'debootstrap'],
  };
  const cli = findExecutable('docker');
  if (cli === null)
    return { ...base, ok: false, detail: 'docker CLI not found', hint: 'install docker.io first' };
  const present = async (image: string) =>
    (await firstLine(cli, ['image', 'inspect', '--format', '{{.Id}}', image])) !== null;
  const found = await Promise.all(
    CONTAINER_IMAGES.map(async ([official, local, env]) => {
      const named = process.env[env];
      if (named) return (await present(named)) ? named : null;
      if (await present(official)) return official;
      return (await present(local)) ? local : null;
    }),
  );
  const missing = CONTAINER_IMAGES.filter((_, i) => found[i] === null).map(
    ([official, , env]) => process.env[env] ?? official,
  );
  if (missing.length > 0) {
    return {
      ...base,
      ok: false,
      detail: `not present: ${missing.join(', ')}`,
      hint: 'run `ecom images build` (local images from Debian packages, no registry needed), or pull them',
    };
  }
  return { ...base, ok: true, detail: found.join(', ') };
}

/**
 * Checks what the chosen runtime needs, fast: it only locates binaries and jars (no apt calls);
 * what it asks a server is `docker info` and `docker image inspect`, each bounded by 2 s. Optional extras are always
 * included, marked `runtime: 'optional'`.
 */
export async function checkRequirements(
  runtime: 'processes' | 'containers' | 'all' = 'all',
): Promise<RequirementResult[]> {
  const checks: Promise<Check>[] = [];
  if (runtime !== 'containers') {
    checks.push(
      binaries('mariadb', 'processes', ['mariadbd', 'mariadb-install-db'], 'mariadb-server', ['--version']),
      binaries('redis-server', 'processes', ['redis-server'], 'redis-server', ['--version']),
      java(),
      zookeeperJars(),
    );
  }
  if (runtime !== 'processes') {
    checks.push(
      docker(),
      binaries('debootstrap', 'containers', ['debootstrap'], 'debootstrap'),
      containerImages(),
    );
  }
  checks.push(
    binaries('prometheus', 'optional', ['prometheus', 'promtool'], 'prometheus'),
    binaries('chromium', 'optional', ['chromium'], 'chromium'),
  );
  return (await Promise.all(checks)).map((c) => ({
    name: c.name,
    runtime: c.runtime,
    ok: c.ok,
    detail: c.detail,
    debianPackages: c.debianPackages,
    hint: c.ok ? '' : (c.hint ?? installHint(c.debianPackages)),
  }));
}

/** The Debian packages that would fix the failed results (optional ones only if asked), deduplicated. */
export function packagesToInstall(results: RequirementResult[], includeOptional = false): string[] {
  const failed = results.filter((r) => !r.ok && (includeOptional || r.runtime !== 'optional'));
  return [...new Set(failed.flatMap((r) => r.debianPackages))];
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * Installs Debian packages with `apt-get install -y --no-install-recommends`, non-interactively
 * (existing config files are kept). If that fails, runs `apt-get update` once and tries again:
 * a fresh machine often has no package lists yet.
 *
 * @throws if not root, if apt-get is missing, or if the retry fails too (with apt's last lines).
 */
export async function installDebianPackages(pkgs: string[], logger: Logger): Promise<void> {
  if (pkgs.length === 0) return;
  const bad = pkgs.filter((p) => !PACKAGE_NAME.test(p));
  if (bad.length > 0) throw new Error(`not Debian package names: ${bad.join(', ')}`);
  if (process.getuid?.() !== 0) {
    throw new Error(`installing ${pkgs.join(' ')} needs root: run \`sudo ${installHint(pkgs)}\``);
  }
  const aptGet = findExecutable('apt-get');
  if (aptGet === null)
    throw new Error(`apt-get not found (not Debian/Ubuntu?): install ${pkgs.join(' ')} yourself`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = async (args: string[]): Promise<void> => {
    const started = Date.now();
    try {
      await run(aptGet, args, { env, maxBuffer: 64 * 1024 * 1024 });
      logger.info({ args, ms: Date.now() - started }, 'apt-get done');
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number | string };
      const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`apt-get ${args.join(' ')} failed (exit ${e.code ?? '?'}):\n${tail}`);
    }
  };
  const install = [
    'install',
    '-y',
    '--no-install-recommends',
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
    ...pkgs,
  ];
  logger.info({ packages: pkgs }, 'installing Debian packages');
  // The stack starts its own servers on free ports: keep the packages' system daemons (MariaDB on
  // 3306, Prometheus on 9090...) from being started by their install scripts (Debian's policy-rc.d).
  const restore = withholdServiceStarts();
  try {
    try {
      await apt(install);
    } catch (err) {
      logger.warn(
        { err: (err as Error).message.split('\n')[0] },
        'apt-get install failed; updating package lists',
      );
      await apt(['update']);
      await apt(install);
    }
  } finally {
    restore();
  }
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** Installs a policy-rc.d that refuses service starts (exit 101), unless one exists; returns its undo. */
function withholdServiceStarts(): () => void {
  if (fs.existsSync(POLICY_RC_D)) return () => undefined;
  try {
    fs.writeFileSync(
      POLICY_RC_D,
      '#!/bin/sh\n# written by ecom doctor --fix for the duration of apt-get install\nexit 101\n',
      { mode: 0o755 },
    );
  } catch {
    return () => undefined;
  }
  return () => fs.rmSync(POLICY_RC_D, { force: true });
}
