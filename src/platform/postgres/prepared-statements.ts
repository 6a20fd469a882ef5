import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Named prepared statements for every parameterised statement of a pool (PG_PREPARED_STATEMENTS).
 *
 * Kysely hands node-postgres `query(text, values)`, which pg sends as an UNNAMED statement: the
 * server parses and plans it again on every run. Named, it is parsed once per connection and each
 * run only binds and executes (plans are cached as PostgreSQL decides: plan_cache_mode). The name
 * is a hash of the text, so every connection of every process agrees on it, and pg itself keeps
 * which names a connection has prepared. Measured with the checkout bench, two alternating runs
 * each of `PG_PREPARED_STATEMENTS=false|true npm run bench -- --only checkout` (2026-11-22, 21:21
 * to 21:27 UTC): PostgreSQL CPU per order 12.1 and 13.0 ms unnamed, 9.2 and 9.1 ms named.
 *
 * Left as they were: statements without parameters (begin, commit, DDL, multi-statement scripts,
 * which the extended protocol cannot carry), calls with a config object (graphile-worker names its
 * own), and texts beyond the first `maxTexts` of the pool: each prepared statement holds memory in
 * every server process that prepared it, and a caller that builds texts on the fly (an `in (...)`
 * list per length) must not grow that without bound.
 *
 * One hazard comes with prepared statements: when a table's columns change under a statement
 * that reads them all (`select *`, `returning *`; a migration adding a column while this process
 * runs), PostgreSQL refuses to run it ("cached plan must not change result type"). The text then
 * gets a new name, so its next run prepares afresh; a statement run outside a transaction is
 * retried at once under it, one inside a transaction fails with it (the transaction is aborted
 * anyway) and its caller's retry finds the new name. Connection poolers in transaction mode
 * (PgBouncer before 1.21) do not keep a connection's prepared statements: turn this off there.
 *
 * And one more: from its sixth run on a connection PostgreSQL may plan a statement generically,
 * without its parameters' values. A statement that only works with a plan made for the values
 * fails from then on (ON CONFLICT on a partial unique index whose predicate was sent as
 * parameters: reporting's export, issue 13). The tests run every statement generic from its first
 * run (plan_cache_mode, test/support/pg-settings.ts), so such a statement fails in its test.
 */
export const MAX_PREPARED_TEXTS = 1000;
const RESULT_TYPE_CHANGED = /cached plan must not change result type/;

type QueryFn = (...args: unknown[]) => unknown;

export function usePreparedStatements(pool: pg.Pool, opts: { maxTexts?: number } = {}): void {
  const maxTexts = opts.maxTexts ?? MAX_PREPARED_TEXTS;
  const names = new Map<string, string>();
  let renames = 0;

  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known !== undefined || names.size >= maxTexts) return known;
    const name = `atelier_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
    return name;
  };

  pool.on('connect', (client: pg.PoolClient) => {
    const original = (client as unknown as { query: QueryFn }).query;
    (client as unknown as { query: QueryFn }).query = function preparedQuery(this: pg.PoolClient, ...args: unknown[]): unknown {
      const [text, values, callback] = args;
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return original.apply(this, args);
      const name = nameOf(text);
      if (name === undefined) return original.apply(this, args);
      if (typeof callback === 'function') return original.call(this, { name, text, values }, callback);
      // Read before the statement runs: its own error would turn 'T' into 'E'.
      const outsideTransaction = this.getTransactionStatus() === 'I';
      return (original.call(this, { name, text, values }) as Promise<unknown>).catch((err: unknown) => {
        if (!(err instanceof Error) || !RESULT_TYPE_CHANGED.test(err.message)) throw err;
        const renamed = `${name.slice(0, 32)}_${++renames}`;
        names.set(text, renamed);
        if (!outsideTransaction) throw err;
        return original.call(this, { name: renamed, text, values });
      });
    };
  });
}
