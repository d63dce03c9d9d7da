import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type Dockerode from 'dockerode';
import { requireExecutable } from '../stack/which.js';
import { followProgress, RECIPE_LABEL } from './docker-build.js';

/** The local base image every `ecom images build` image starts from. */
export const BASE_IMAGE = 'ecom/debian:bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/** Files written into the root filesystem before it becomes an image (path → content, mode). */
function baseFiles(mirror: string): [string, string, number][] {
  return [
    // Package install scripts must not try to start daemons in an image build.
    ['usr/sbin/policy-rc.d', '#!/bin/sh\nexit 101\n', 0o755],
    [
      'etc/apt/sources.list',
      `deb ${mirror} bookworm main\ndeb ${mirror} bookworm-updates main\n` +
        `deb ${mirror.replace(/\/debian\/?$/, '/debian-security')} bookworm-security main\n`,
      0o644,
    ],
    [
      'etc/apt/apt.conf.d/90ecom',
      'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n',
      0o644,
    ],
    // Smaller images, faster builds: no documentation or translations.
    [
      'etc/dpkg/dpkg.cfg.d/90ecom-nodoc',
      'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n' +
        'path-exclude /usr/share/locale/*\npath-include /usr/share/locale/locale.alias\n',
      0o644,
    ],
  ];
}

/** The recipe of the base image: what it is built from. */
export function baseRecipe(mirror: string): string {
  const h = createHash('sha256').update('debootstrap --variant=minbase bookworm').update(mirror);
  for (const [path, content] of baseFiles(mirror)) h.update(path).update(content);
  return h.digest('hex').slice(0, 16);
}

/** Runs a command, passing each line of its output to `onLine`; rejects on a non-zero exit. */
function runLines(cmd: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    for (const s of [child.stdout, child.stderr]) {
      createInterface({ input: s }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      });
    }
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
}

/**
 * Builds {@link BASE_IMAGE}: `debootstrap --variant=minbase bookworm` into a temporary folder (needs
 * root), a few files that suit image builds (no daemon starts, no recommends, no docs), then
 * `docker import` of that root filesystem. The folder is removed afterwards.
 */
export async function buildDebianBase(
  docker: Dockerode,
  opts: { mirror: string; onLine: (line: string) => void },
): Promise<void> {
  const debootstrap = requireExecutable('debootstrap', 'debootstrap');
  if (process.getuid?.() !== 0)
    throw new Error('building the Debian base image runs debootstrap, which needs root');
  const work = mkdtempSync(join(tmpdir(), 'ecom-rootfs-'));
  const rootfs = join(work, 'rootfs');
  try {
    await runLines(debootstrap, ['--variant=minbase', 'bookworm', rootfs, opts.mirror], opts.onLine);
    for (const [path, content, mode] of baseFiles(opts.mirror)) {
      writeFileSync(join(rootfs, path), content);
      chmodSync(join(rootfs, path), mode);
    }
    for (const dir of ['var/lib/apt/lists', 'var/cache/apt/archives']) {
      for (const f of readdirSync(join(rootfs, dir))) {
        if (f !== 'partial' && f !== 'lock') rmSync(join(rootfs, dir, f), { recursive: true, force: true });
      }
    }
    const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [repo, tag] = BASE_IMAGE.split(':') as [string, string];
    const stream = await docker.importImage(tar.stdout, {
      repo,
      tag,
      changes: ['CMD ["bash"]', 'ENV LANG=C.UTF-8', `LABEL ${RECIPE_LABEL}=${baseRecipe(opts.mirror)}`],
    } as object);
    await followProgress(docker, stream, opts.onLine);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
