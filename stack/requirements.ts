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

/**
 * Checks what the chosen runtime needs, fast: it only locates binaries and jars (no apt calls);
 * the one thing it asks a server is `docker info`, bounded by 2 s. Optional extras are always
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
    checks.push(docker(), binaries('debootstrap', 'containers', ['debootstrap'], 'debootstrap'));
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
}
