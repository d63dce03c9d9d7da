#!/usr/bin/env node
// The `ecom` command: runs the compiled CLI (npm install builds it through the prepare script).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(
    `ecom is not built (${main} is missing): run \`npm install\` or \`npm run build\` in ${root}\n`,
  );
  process.exit(3);
}
const { run } = await import(pathToFileURL(main).href);
process.exitCode = await run(process.argv);
