import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { usePreparedStatements } from './prepared-statements.ts';

let t: TestApp;
const opened: Array<{ end(): Promise<void> }> = [];
before(async () => {
  t = await createTestApp();
});
after(async () => {
  for (const p of opened) await p.end();
  await t.close();
});

/** One connection, so every statement of a test meets the statements prepared before it. */
function oneConnection(preparedStatements?: boolean): DatabaseHandle {
  const handle = openDatabase({
    name: 'prepared-test',
    url: t.app.stores.catalog.url,
    poolMax: 1,
    statementTimeoutMs: 5000,
    applicationName: 'atelier-prepared-test',
    ...(preparedStatements === undefined ? {} : { preparedStatements }),
  });
  opened.push(handle.pool);
  return handle;
}

/** The statements this connection has prepared, and how often each ran. */
async function prepared(db: Kysely<unknown>) {
  const { rows } = await sql<{ name: string; statement: string; runs: number }>`
    select name, statement, (generic_plans + custom_plans)::int as runs from pg_prepared_statements order by statement`.execute(db);
  return rows;
}

test('a statement with parameters is prepared once per connection and run again by name; one without is not; off prepares nothing', async () => {
  const { db } = oneConnection();
  for (let i = 0; i < 3; i++) {
    const { rows } = await sql<{ n: number }>`select ${i}::int + 1 as n`.execute(db);
    assert.equal(rows[0]!.n, i + 1);
  }
  await sql`select 1`.execute(db);
  const rows = await prepared(db);
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.match(rows[0]!.name, /^atelier_[0-9a-f]{24}$/);
  assert.equal(rows[0]!.statement, 'select $1::int + 1 as n');
  assert.equal(rows[0]!.runs, 3, 'parsed once, run three times');

  const off = oneConnection(false).db;
  await sql`select ${1}::int + 1 as n`.execute(off);
  assert.deepEqual(await prepared(off), []);
});

test('a table changed under a `select *`: outside a transaction the run is retried; inside one it fails once, then works', async () => {
  const { db } = oneConnection();
  await sql`create table prepared_test_rows (id int primary key)`.execute(db);
  await sql`insert into prepared_test_rows values (1)`.execute(db);
  const read = (k: Kysely<unknown>) => sql<Record<string, unknown>>`select * from prepared_test_rows where id = ${1}`.execute(k);
  assert.deepEqual((await read(db)).rows, [{ id: 1 }]);

  // A migration adds a column while this process runs.
  await sql`alter table prepared_test_rows add column note text not null default 'a'`.execute(db);
  assert.deepEqual((await read(db)).rows, [{ id: 1, note: 'a' }], 'retried at once under a new name');

  await sql`alter table prepared_test_rows add column more text not null default 'b'`.execute(db);
  await assert.rejects(
    db.transaction().execute((trx) => read(trx)),
    /cached plan must not change result type/,
  );
  const again = await db.transaction().execute((trx) => read(trx));
  assert.deepEqual(again.rows, [{ id: 1, note: 'a', more: 'b' }], "the caller's retry finds the new name");
  await sql`drop table prepared_test_rows`.execute(db);
});

test('a pool prepares at most maxTexts distinct texts; the rest run unnamed', async () => {
  const pool = new pg.Pool({ connectionString: t.app.stores.catalog.url, max: 1 });
  opened.push(pool);
  usePreparedStatements(pool, { maxTexts: 2 });
  for (const text of ['select $1::int as a', 'select $1::int as b', 'select $1::int as c', 'select $1::int as a']) {
    await pool.query(text, [1]);
  }
  const { rows } = await pool.query<{ statement: string }>('select statement from pg_prepared_statements order by statement');
  assert.deepEqual(
    rows.map((r) => r.statement),
    ['select $1::int as a', 'select $1::int as b'],
  );
});

test('the test server plans every prepared statement generically from its first run (plan_cache_mode, issue 13)', async () => {
  // Through the app's own pools, which prepare their statements: a statement that only works with
  // a plan made for its parameter values fails in its test, not on its sixth run in production.
  for (const handle of [t.app.stores.catalog, ...t.app.stores.shards.databases]) {
    const { rows } = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(handle.db);
    assert.equal(rows[0]!.plan_cache_mode, 'force_generic_plan', handle.name);
  }
  const { db } = oneConnection();
  await sql`select ${1}::int as generic_probe`.execute(db);
  const { rows } = await sql<{ generic_plans: number; custom_plans: number }>`
    select generic_plans::int, custom_plans::int from pg_prepared_statements where statement like '%generic_probe%'`.execute(db);
  assert.deepEqual(rows, [{ generic_plans: 1, custom_plans: 0 }]);
});
