import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (the folder holding package.json and proto/), found from this file whether it
 * runs from source (platform/) or compiled (dist/platform/).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the ecom package root from ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Where the compiled JavaScript lives (dist/ under the package root). */
export function distRoot(): string {
  return join(packageRoot(), 'dist');
}
