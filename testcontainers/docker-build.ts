import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Dockerode from 'dockerode';

/** Label holding the hash of what an image was built from; a different hash means "rebuild". */
export const RECIPE_LABEL = 'ecom.recipe';

/** Every file under `dir` (relative paths, sorted), skipping the top-level names in `exclude`. */
export function contextFiles(dir: string, exclude: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (d === dir && exclude.has(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * A hash of a build: the listed files' paths and contents plus `extra` (base image id, build
 * arguments). Two builds with the same recipe produce the same image, so the second is skipped.
 */
export function recipeHash(dir: string, files: string[], extra: string[] = []): string {
  const h = createHash('sha256');
  for (const f of files) {
    const p = join(dir, f);
    h.update(f)
      .update('\0')
      .update(String(statSync(p).mode & 0o111))
      .update('\0')
      .update(readFileSync(p));
  }
  for (const e of extra) h.update('\0').update(e);
  return h.digest('hex').slice(0, 16);
}

/** The recipe label of a local image, or null if the engine does not have it. */
export async function imageRecipe(docker: Dockerode, image: string): Promise<string | null> {
  try {
    const info = await docker.getImage(image).inspect();
    return info.Config?.Labels?.[RECIPE_LABEL] ?? '';
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/** The id of a local image. */
export async function imageId(docker: Dockerode, image: string): Promise<string> {
  return (await docker.getImage(image).inspect()).Id;
}

/**
 * Follows a build or import progress stream to its end, passing each output line to `onLine`;
 * rejects with the engine's message if a step failed.
 */
export function followProgress(
  docker: Dockerode,
  stream: NodeJS.ReadableStream,
  onLine: (line: string) => void,
) {
  return new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
        const failed = events?.find((e) => e.error);
        if (err) reject(err);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const text = (event.stream ?? event.status ?? '').trimEnd();
        for (const line of text.split('\n')) if (line.trim()) onLine(line);
      },
    );
  });
}

/**
 * Builds `dir/dockerfile` (default "Dockerfile") with `files` as the context into `tag`, labelled
 * with its recipe. Uses the engine's classic builder, as `docker build` does on Debian's docker.io.
 */
export async function buildImage(
  docker: Dockerode,
  opts: {
    dir: string;
    files: string[];
    tag: string;
    dockerfile?: string;
    buildargs?: Record<string, string>;
    recipe: string;
    /** Run every step anew instead of reusing the engine's layer cache. */
    nocache?: boolean;
    onLine: (line: string) => void;
  },
): Promise<void> {
  const stream = await docker.buildImage(
    { context: opts.dir, src: opts.files },
    {
      t: opts.tag,
      dockerfile: opts.dockerfile ?? 'Dockerfile',
      buildargs: opts.buildargs ?? {},
      labels: { [RECIPE_LABEL]: opts.recipe },
      rm: true,
      forcerm: true,
      nocache: opts.nocache ?? false,
    },
  );
  await followProgress(docker, stream, opts.onLine);
}
