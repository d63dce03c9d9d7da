import { join } from 'node:path';
import { packageRoot } from '../../platform/paths.js';
import { arrivalSchedule } from '../arrivals.js';
import { OPERATIONS, type OpName, type Scenario } from '../schema.js';
import { parseThreshold } from '../thresholds.js';
import { k6Options, k6Threshold } from './options.js';
import { RUNTIME } from './runtime.js';

/** Where the exported script connects and what it loads; each address can be overridden by __ENV. */
export interface K6ExportOptions {
  /** Default of ECOM_ORDERS (host:port). */
  ordersAddress?: string;
  /** Default of ECOM_INVENTORY. */
  inventoryAddress?: string;
  /** Default of ECOM_USERS. */
  usersAddress?: string;
  /** Folder holding ecom/<service>/v1/*.proto (default: this package's proto/); ECOM_PROTO_DIR overrides. */
  protoDir?: string;
  /** Seed of the script's PRNG (default 1); ECOM_SEED overrides. */
  seed?: number;
}

const SERVICE_OF: Record<OpName, 'orders' | 'inventory' | 'users'> = {
  'place-order': 'orders',
  'get-order': 'orders',
  'cancel-order': 'orders',
  'get-stock': 'inventory',
  login: 'users',
};

/**
 * Writes a k6 script (k6/net/grpc) that runs the scenario with k6: the same executor and stages,
 * the same thresholds, operation mix, SKU popularity, quantities and payment outcomes. `options`
 * is emitted as a JSON literal (`export const options = {…};`) so tools and tests can read it back.
 *
 * @throws K6ExportError when a threshold has no k6 equivalent (e.g. a per-operation dropped share).
 */
export function exportK6(scenario: Scenario, opts: K6ExportOptions = {}): string {
  const options = k6Options(scenario);
  const mix = Object.fromEntries(
    OPERATIONS.filter((op) => (scenario.mix[op] ?? 0) > 0).map((op) => [op, scenario.mix[op]]),
  );
  const used = new Set(Object.keys(mix) as OpName[]);
  // Reads and cancels fall back to get-stock when the mix never places an order.
  if ((used.has('get-order') || used.has('cancel-order')) && !used.has('place-order')) used.add('get-stock');
  const config = {
    name: scenario.name,
    seed: opts.seed ?? 1,
    mix,
    popularity: scenario.popularity,
    quantity: scenario.quantity,
    linesMax: scenario.linesMax,
    payments: scenario.payments,
    skus: scenario.catalogue.skus,
    users: scenario.users.count,
    currency: scenario.catalogue.currency,
    timeoutMs: scenario.timeout,
    services: (['orders', 'inventory', 'users'] as const).filter((s) =>
      [...used].some((op) => SERVICE_OF[op] === s),
    ),
    addresses: {
      orders: opts.ordersAddress ?? '',
      inventory: opts.inventoryAddress ?? '',
      users: opts.usersAddress ?? '',
    },
    protoDir: opts.protoDir ?? join(packageRoot(), 'proto'),
  };
  return [
    header(scenario),
    `import grpc from 'k6/net/grpc';`,
    `import { Counter, Rate } from 'k6/metrics';`,
    `import { SharedArray } from 'k6/data';`,
    `import exec from 'k6/execution';`,
    '',
    `export const options = ${JSON.stringify(options, null, 2)};`,
    '',
    `const SCENARIO = ${JSON.stringify(config, null, 2)};`,
    RUNTIME,
  ].join('\n');
}

function header(scenario: Scenario): string {
  const line = (s: string) => `// ${s.replace(/[\r\n\u2028\u2029]+/g, ' ')}`;
  const mapped = scenario.thresholds.map((expr) => {
    const t = parseThreshold(expr);
    const { metric, condition } = k6Threshold(t, scenario.executor);
    const note =
      t.metric === 'dropped' && scenario.executor.type !== 'constant-vus'
        ? ` (k6 counts dropped iterations, it has no share of them: ${t.value * 100}% of the ${arrivalSchedule(scenario.executor).total} arrivals the executor schedules)`
        : t.metric === 'dropped'
          ? ' (a closed model drops nothing)'
          : '';
    return line(`  ${expr}  →  ${metric}: ${condition}${note}`);
  });
  return [
    line(
      `k6 script for the ecom scenario "${scenario.name}", written by \`ecom export k6\`; regenerate rather than edit.`,
    ),
    ...(scenario.description ? [line(scenario.description)] : []),
    '//',
    '// Run against a seeded stack (`ecom up && ecom seed`):',
    '//   ECOM_ORDERS=host:port ECOM_INVENTORY=host:port ECOM_USERS=host:port \\',
    '//   ECOM_TOKENS_FILE=/abs/path/tokens.json k6 run script.js',
    '// ECOM_TOKENS_FILE: JSON list of {userId, accessToken[, email, password]} (`ecom seed` writes it).',
    '// Optional: ECOM_SKUS_FILE (JSON list of SKU ids, most popular first; default sku-000001…),',
    '// ECOM_PROTO_DIR, ECOM_SEED, ECOM_RUN_ID (prefix of idempotency keys), ECOM_PASSWORD (for login).',
    '//',
    '// Latency: k6 measures grpc_req_duration from the send, our runner from the intended start in',
    '// open-model runs; when k6 drops iterations, compare dropped_iterations too.',
    ...(mapped.length > 0 ? ['// Thresholds:', ...mapped] : []),
    '',
  ].join('\n');
}
