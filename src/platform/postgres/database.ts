import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { instrumentPool } from '../observability/pg-instrumentation.ts';
import { usePreparedStatements } from './prepared-statements.ts';

// int8 (counts, sums of minor units) fits in a double for every amount Atelier stores
// (see shared/money.ts MAX_AMOUNT), so it is parsed as a number rather than a string.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** A Kysely over one physical PostgreSQL database, with a bounded pool and a statement timeout. */
export type Database<DB = unknown> = Kysely<DB>;

export type DatabaseHandle = Readonly<{
  name: string;
  url: string;
  db: Kysely<unknown>;
  pool: pg.Pool;
}>;

/** How much longer than the statement timeout the client waits for an answer (see `query_timeout`). */
export const QUERY_TIMEOUT_MARGIN_MS = 1000;

export function openDatabase(opts: {
  name: string;
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  applicationName: string;
  /** How long to wait for a new connection; 5 s unless given (replicas use less: a dead one must not slow reads). */
  connectTimeoutMs?: number;
  /** Parameterised statements as named prepared statements (prepared-statements.ts); on unless false. */
  preparedStatements?: boolean;
}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolMax,
    // A request must never hang on a pool that cannot connect: fail fast and let the caller answer 503.
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs,
    // The statement timeout is the server's: a server that stopped answering (hung, partitioned)
    // never sends its cancel, and a query on an open connection would wait forever. The client
    // gives up a little after the server would have; the request answers 503 (unavailable.ts).
    query_timeout: opts.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    application_name: opts.applicationName,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Query timing per named query, a span per statement when tracing, and the pool in the pool gauges.
  instrumentPool(opts.name, pool);
  // After the instrumentation, so it wraps it: timings and spans still see every run, retries too.
  if (opts.preparedStatements !== false) usePreparedStatements(pool);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  return { name: opts.name, url: opts.url, db, pool };
}

/** A typed view of a store: a module sees only the tables it declares. */
export function view<DB>(db: Kysely<unknown>): Kysely<DB> {
  return db as Kysely<DB>;
}
