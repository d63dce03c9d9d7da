import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../platform/paths.js';
import { Scenario } from './schema.js';
import { parseThreshold } from './thresholds.js';

/** A scenario file that cannot be used; the message names the file and the field. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Folder of the scenarios shipped with ecom. */
export function builtinDir(): string {
  return join(packageRoot(), 'scenarios', 'builtin');
}

/** Names of the builtin scenarios (flash-sale, steady-mix, ...). */
export function builtinScenarios(): string[] {
  return readdirSync(builtinDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}

/**
 * Loads a scenario by builtin name or from a YAML file, validates it against the schema (and its
 * thresholds against their grammar), and fills the defaults.
 *
 * @throws ScenarioError naming the file and every offending field.
 */
export function loadScenario(nameOrFile: string): Scenario {
  const builtin = join(builtinDir(), `${nameOrFile}.yaml`);
  const file = /^[a-z0-9-]+$/.test(nameOrFile) && existsSync(builtin) ? builtin : nameOrFile;
  if (!existsSync(file)) {
    throw new ScenarioError(
      `scenario "${nameOrFile}" is neither a builtin (${builtinScenarios().join(', ')}) nor a file`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`scenario ${file}: not valid YAML: ${(err as Error).message}`);
  }
  return parseScenario(raw, file);
}

/** Validates an already-parsed scenario object; `source` names it in errors. */
export function parseScenario(raw: unknown, source: string): Scenario {
  const result = Scenario.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `  ${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    );
    throw new ScenarioError(`scenario ${source} is invalid:\n${lines.join('\n')}`);
  }
  result.data.thresholds.forEach((t, i) => {
    try {
      parseThreshold(t);
    } catch (err) {
      throw new ScenarioError(`scenario ${source} is invalid:\n  thresholds.${i}: ${(err as Error).message}`);
    }
  });
  return result.data;
}
