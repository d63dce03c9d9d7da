import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool } from 'mysql2/promise';
import { OrdersConfig } from '../services/orders/config.js';
import { readHistory } from '../scenarios/history.js';
import type { StackState } from '../stack/types.js';
import type { CheckContext } from './checker.js';

/** The run whose history `ecom verify` judges by default: the stack's latest. */
export function latestHistoryFile(dir: string): string | undefined {
  const pointer = join(dir, 'runs', 'latest.json');
  if (!existsSync(pointer)) return undefined;
  const { historyFile } = JSON.parse(readFileSync(pointer, 'utf8')) as { historyFile: string };
  return existsSync(historyFile) ? historyFile : undefined;
}

/**
 * Builds what the checkers read, for a running stack: a small pool on the primary, the history of
 * a run (the latest, unless one is named), and the effective config of the services whose limits
 * are judged. The caller closes `primary`.
 */
export async function checkContextFor(state: StackState, historyFile?: string): Promise<CheckContext> {
  const primary = createPool({
    ...state.infra.mysqlPrimary,
    ...state.mysql,
    connectionLimit: 2,
    dateStrings: false,
    timezone: 'Z',
  });
  const file = historyFile ?? latestHistoryFile(state.dir);
  const serviceConfig: Record<string, Record<string, unknown>> = {};
  const ordersFile = join(state.dir, 'config', 'orders-1.json');
  if (existsSync(ordersFile))
    serviceConfig.orders = OrdersConfig.parse(JSON.parse(readFileSync(ordersFile, 'utf8')));
  let history = file ? await readHistory(file) : undefined;
  // A history recorded against an earlier stack (its data was wiped by `ecom up`) proves nothing here.
  if (history && history.meta.extra?.stackStartedAt !== state.startedAt) history = undefined;
  return {
    primary,
    history,
    serviceConfig,
    now: () => new Date(),
  };
}
