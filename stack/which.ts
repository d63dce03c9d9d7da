import fs from 'node:fs';
import path from 'node:path';

/** Folders searched after PATH: Debian puts daemons such as mariadbd in sbin, which a non-root PATH lacks. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * Something the machine lacks (a binary, a jar). The CLI maps it to exit code 3; the message says
 * which Debian packages provide it.
 */
export class MissingDependencyError extends Error {
  override name = 'MissingDependencyError';
  constructor(
    message: string,
    readonly debianPackages: string[],
  ) {
    super(message);
  }
}

/** The absolute path of an executable named `name` on PATH or in the sbin folders, or null. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/** Like {@link findExecutable}, but throws a {@link MissingDependencyError} naming the Debian package. */
export function requireExecutable(name: string, debianPackage: string): string {
  const found = findExecutable(name);
  if (found === null) {
    throw new MissingDependencyError(
      `${name} not found on PATH or in ${SBIN_DIRS.join(', ')}: install the Debian package ` +
        `${debianPackage} (\`ecom doctor --fix\` does it)`,
      [debianPackage],
    );
  }
  return found;
}
