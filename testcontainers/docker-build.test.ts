import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextFiles, recipeHash } from './docker-build.js';

describe('build recipes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-recipe-'));
    mkdirSync(join(dir, 'sub'));
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM x\n');
    writeFileSync(join(dir, 'sub', 'entry.sh'), 'exec "$@"\n');
    writeFileSync(join(dir, 'node_modules', 'big.js'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the context recursively, sorted, without the excluded top-level names', () => {
    expect(contextFiles(dir, new Set(['node_modules']))).toEqual(['Dockerfile', 'sub/entry.sh']);
  });

  it('changes with a file, its executable bit, or what the image is built from — and only then', () => {
    const files = contextFiles(dir, new Set(['node_modules']));
    const first = recipeHash(dir, files, ['base-1']);
    expect(recipeHash(dir, files, ['base-1'])).toBe(first);
    expect(recipeHash(dir, files, ['base-2'])).not.toBe(first);
    chmodSync(join(dir, 'sub', 'entry.sh'), 0o755);
    const executable = recipeHash(dir, files, ['base-1']);
    expect(executable).not.toBe(first);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM y\n');
    expect(recipeHash(dir, files, ['base-1'])).not.toBe(executable);
  });
});
