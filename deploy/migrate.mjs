// Applies every service's SQL migrations (services/*/migrations) to the MySQL primary, the way
// `ecom up` does before any instance starts: run it as a Job before the Deployments roll out.
// Connection: ECOM_MYSQL_HOST, ECOM_MYSQL_PORT (3306), ECOM_MYSQL_USER, ECOM_MYSQL_PASSWORD.
import { createConnection } from 'mysql2/promise';
import pino from 'pino';
import { discoverMigrations, migrate } from '../dist/stack/migrate.js';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') {
    process.stderr.write(`migrate: ${name} is required\n`);
    process.exit(2);
  }
  return v;
};
const logger = pino({ base: { component: 'migrate' } });
const conn = await createConnection({
  host: env('ECOM_MYSQL_HOST'),
  port: Number(env('ECOM_MYSQL_PORT', '3306')),
  user: env('ECOM_MYSQL_USER'),
  password: env('ECOM_MYSQL_PASSWORD'),
  multipleStatements: true,
});
try {
  const { applied } = await migrate(
    conn,
    discoverMigrations(new URL('../services', import.meta.url).pathname),
    logger,
  );
  logger.info({ applied: applied.length }, 'migrations applied');
} finally {
  await conn.end();
}
