import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { getContainerRuntimeClient } from 'testcontainers';
import { packageRoot } from '../platform/paths.js';
import { BASE_IMAGE, baseRecipe, buildDebianBase, DEFAULT_MIRROR } from './debian-base.js';
import { buildImage, contextFiles, imageId, imageRecipe, recipeHash } from './docker-build.js';
import { LOCAL_IMAGES } from './image-names.js';

/** What `ecom images build` can build. */
export const BUILD_TARGETS = ['mariadb', 'redis', 'zookeeper', 'services'] as const;
export type BuildTarget = (typeof BUILD_TARGETS)[number];

/** The local Node.js image the services image is built on here. */
export const NODE_IMAGE = 'ecom/node:20';

/** The outcome for one image. */
export interface ImageBuildResult {
  image: string;
  status: 'built' | 'cached' | 'failed';
  ms: number;
  error?: string;
}

/** Options of {@link buildImages}. */
export interface BuildImagesOptions {
  /** Default: every target. The base (and, for services, the Node image) come along as needed. */
  only?: readonly BuildTarget[];
  /** Rebuild even what is up to date. */
  force?: boolean;
  /** Debian mirror for debootstrap and apt; default deb.debian.org. */
  mirror?: string;
  /** Every output line of every build, tagged with its image. */
  onLine?(image: string, line: string): void;
  /** An image's build starts, or ends (built, cached, failed). */
  onStatus?(result: ImageBuildResult | { image: string; status: 'building' }): void;
}

/**
 * Builds local equivalents of the containers runtime's images from a debootstrapped Debian base
 * with Debian's packages, for machines without registry access: {@link BASE_IMAGE}, then
 * ecom/mariadb, ecom/redis, ecom/zookeeper (in parallel) and ecom/services (deploy/Dockerfile on
 * {@link NODE_IMAGE}). Each image carries the hash of its recipe (build files + the id of the image
 * it starts from); an image whose recipe has not changed is skipped.
 *
 * @returns every image's outcome; it rejects only for the engine itself — failed builds are results.
 */
export async function buildImages(
  opts: BuildImagesOptions = {},
): Promise<{ results: ImageBuildResult[]; totalMs: number }> {
  const t0 = Date.now();
  const docker = (await getContainerRuntimeClient()).container.dockerode;
  const mirror = opts.mirror ?? DEFAULT_MIRROR;
  const only = new Set(opts.only ?? BUILD_TARGETS);
  const results: ImageBuildResult[] = [];
  const tails = new Map<string, string[]>();
  const line = (image: string) => (l: string) => {
    const tail = tails.get(image) ?? [];
    tail.push(l);
    if (tail.length > 15) tail.shift();
    tails.set(image, tail);
    opts.onLine?.(image, l);
  };

  /** Builds one image unless its recipe is current; records the outcome; true if the image is usable. */
  const step = async (
    image: string,
    recipe: () => Promise<string>,
    build: (recipe: string) => Promise<void>,
  ) => {
    const started = Date.now();
    let result: ImageBuildResult;
    try {
      const wanted = await recipe();
      if (!opts.force && (await imageRecipe(docker, image)) === wanted) {
        result = { image, status: 'cached', ms: Date.now() - started };
      } else {
        opts.onStatus?.({ image, status: 'building' });
        const previous = await imageId(docker, image).catch(() => undefined);
        await build(wanted);
        // The image this one replaces is now untagged: remove it (an engine refuses while a container uses it).
        if (previous && previous !== (await imageId(docker, image))) {
          await docker
            .getImage(previous)
            .remove()
            .catch(() => undefined);
        }
        result = { image, status: 'built', ms: Date.now() - started };
      }
    } catch (err) {
      const tail = tails.get(image)?.join('\n');
      const error = `${(err as Error).message}${tail ? `\n--- last lines of the build ---\n${tail}` : ''}`;
      result = { image, status: 'failed', ms: Date.now() - started, error };
    }
    results.push(result);
    opts.onStatus?.(result);
    return result.status !== 'failed';
  };

  const baseOk = await step(
    BASE_IMAGE,
    async () => baseRecipe(mirror),
    () => buildDebianBase(docker, { mirror, onLine: line(BASE_IMAGE) }),
  );
  if (!baseOk) return { results, totalMs: Date.now() - t0 };
  const baseId = await imageId(docker, BASE_IMAGE);

  const fromDir = (target: 'mariadb' | 'redis' | 'zookeeper') => {
    const dir = join(packageRoot(), 'testcontainers', 'images', target);
    const files = contextFiles(dir);
    const image = LOCAL_IMAGES[target];
    return step(
      image,
      async () => recipeHash(dir, files, [baseId]),
      (recipe) =>
        buildImage(docker, {
          dir,
          files,
          tag: image,
          buildargs: { BASE_IMAGE },
          recipe,
          nocache: opts.force,
          onLine: line(image),
        }),
    );
  };
  const services = async () => {
    if (!(await nodeImage(docker, baseId, step, line(NODE_IMAGE)))) return;
    const nodeId = await imageId(docker, NODE_IMAGE);
    const root = packageRoot();
    const files = contextFiles(root, dockerIgnored(root));
    const image = LOCAL_IMAGES.services;
    await step(
      image,
      async () => recipeHash(root, files, [nodeId]),
      (recipe) =>
        buildImage(docker, {
          dir: root,
          files,
          dockerfile: 'deploy/Dockerfile',
          tag: image,
          buildargs: { NODE_IMAGE },
          recipe,
          nocache: opts.force,
          onLine: line(image),
        }),
    );
  };
  await Promise.all([
    ...(['mariadb', 'redis', 'zookeeper'] as const).filter((t) => only.has(t)).map(fromDir),
    ...(only.has('services') ? [services()] : []),
  ]);
  return { results, totalMs: Date.now() - t0 };
}

/** {@link NODE_IMAGE}: this machine's node binary and its bundled npm on the base image. */
async function nodeImage(
  docker: Dockerode,
  baseId: string,
  step: (
    image: string,
    recipe: () => Promise<string>,
    build: (recipe: string) => Promise<void>,
  ) => Promise<boolean>,
  onLine: (line: string) => void,
): Promise<boolean> {
  const recipeDir = join(packageRoot(), 'testcontainers', 'images', 'node');
  const npmDir = join(dirname(realpathSync(process.execPath)), '..', 'lib', 'node_modules', 'npm');
  const npmVersion = () =>
    (JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8')) as { version: string }).version;
  const caDir = '/usr/local/share/ca-certificates';
  const cas = existsSync(caDir) ? contextFiles(caDir).filter((f) => f.endsWith('.crt')) : [];
  return step(
    NODE_IMAGE,
    async () =>
      recipeHash(
        recipeDir,
        ['Dockerfile'],
        [baseId, process.version, npmVersion(), ...cas.map((f) => readFileSync(join(caDir, f), 'utf8'))],
      ),
    async (recipe) => {
      const dir = mkdtempSync(join(tmpdir(), 'ecom-node-image-'));
      try {
        cpSync(join(recipeDir, 'Dockerfile'), join(dir, 'Dockerfile'));
        cpSync(process.execPath, join(dir, 'node'));
        cpSync(npmDir, join(dir, 'npm'), { recursive: true });
        mkdirSync(join(dir, 'extra-ca'));
        for (const f of cas) cpSync(join(caDir, f), join(dir, 'extra-ca', basename(f)));
        await buildImage(docker, {
          dir,
          files: ['Dockerfile', 'node', 'npm', 'extra-ca'],
          tag: NODE_IMAGE,
          buildargs: { BASE_IMAGE },
          recipe,
          onLine,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}

/** The top-level names the repository's .dockerignore excludes from the build context. */
function dockerIgnored(root: string): Set<string> {
  let text = '';
  try {
    text = readFileSync(join(root, '.dockerignore'), 'utf8');
  } catch {
    // no .dockerignore: send everything
  }
  return new Set(
    text
      .split('\n')
      .map((l) => l.trim().replace(/^\/|\/$/g, ''))
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!') && !/[*?[\]/]/.test(l)),
  );
}
