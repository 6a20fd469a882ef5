import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/app/config.ts';
import { openDatabase, type DatabaseHandle } from '../src/platform/postgres/database.ts';
import { cleanupShard, moveShard, shardStatus, type MoveReport, type ShardDeps } from '../src/platform/postgres/shard-move.ts';
import { changeShardMap, readShardMap, SHARD_FENCE_SQLSTATE } from '../src/platform/postgres/shard-router.ts';
import { SHARD_TABLES } from '../src/platform/postgres/shard-move-tables.ts';
import { shardOfId } from '../src/shared/ids.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Accepted, type Actor, type Listing } from './checkout/support.ts';

/**
 * Online shard moves on real PostgreSQL: customers of the moving shard keep placing orders through
 * the HTTP API while the shard moves; afterwards every order exists exactly once, on the new
 * database, and nothing of that shard remains on the old one. The mover runs with pools of its
 * own, as `atelier shards move` would in its own process.
 */
let t: TestApp;
let mover: ShardDeps;
let moverHandles: DatabaseHandle[] = [];
let item: Listing;
let customers: Actor[] = [];
let shard = -1;

before(async () => {
  t = await createTestApp();
  const config = loadConfig(t.env);
  const open = (name: string, url: string) =>
    openDatabase({ name, url, poolMax: 6, statementTimeoutMs: 30_000, applicationName: 'test-mover' });
  const catalog = open('catalog', config.catalogDatabaseUrl!);
  const databases = config.shardDatabases.map((s) => open(s.name, s.url!));
  moverHandles = [catalog, ...databases];
  mover = { catalog, databases, logicalShards: config.logicalShards };
  // Orders are placed back to back for as long as the move takes: on a slow machine that was nearly
  // 10,000 in one move (CI sold a stock of 10,000 out once), so the stock is ten times that (the most
  // one restock takes).
  item = await listing(t, [{ price: 1500, stock: 100_000 }]);
  // Customers are placed by a hash: sign up enough to have three in one logical shard.
  const all = await signUpMany(t.server, 48);
  const byShard = new Map<number, Actor[]>();
  for (const c of all) byShard.set(shardOfId(c.id), [...(byShard.get(shardOfId(c.id)) ?? []), c]);
  [shard, customers] = [...byShard.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  assert.ok(customers.length >= 2, 'at least two customers share a logical shard');
});
after(async () => {
  await Promise.allSettled(moverHandles.map((h) => h.db.destroy()));
  await t?.close();
});

const placeOrder = (c: Actor) => checkout(t.server, c, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });

async function ordersOn(db: DatabaseHandle, ids: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.pool.query<{ id: string; n: number }>(
    'select id::text, count(*)::int as n from orders where id = any($1::uuid[]) group by id',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.n]));
}

function otherDatabase(): { from: DatabaseHandle; to: DatabaseHandle } {
  const from = t.app.stores.shards.forShard(shard).name;
  const fromHandle = mover.databases.find((d) => d.name === from)!;
  return { from: fromHandle, to: mover.databases.find((d) => d.name !== from)! };
}

test('customers of the moving shard keep placing orders during the move; afterwards each order is on the new database once', async (ctx) => {
  // Some history first: paid orders (payments, emails, seller index) and pending ones whose
  // payment jobs wait on the old database's queue.
  const accepted: string[] = [];
  for (const c of customers) {
    for (let i = 0; i < 3; i++) {
      const res = await placeOrder(c);
      assert.equal(res.statusCode, 202, res.body);
      accepted.push(res.json<Accepted>().order.id);
    }
  }
  await t.drainJobs();
  for (const c of customers) {
    const res = await placeOrder(c);
    assert.equal(res.statusCode, 202, res.body);
    accepted.push(res.json<Accepted>().order.id);
  }
  const { from, to } = otherDatabase();

  // Load: every customer of the shard places orders back to back until the move is over.
  let moving = true;
  const failures: string[] = [];
  let slowest = 0;
  const load = customers.map(async (c) => {
    while (moving) {
      const started = performance.now();
      const res = await placeOrder(c);
      slowest = Math.max(slowest, performance.now() - started);
      if (res.statusCode === 202) accepted.push(res.json<Accepted>().order.id);
      else failures.push(`${res.statusCode} ${res.body}`);
    }
  });
  let report: MoveReport;
  const progress: string[] = [];
  let duringMove = 0;
  try {
    await new Promise((r) => setTimeout(r, 200));
    const countBefore = accepted.length;
    report = await moveShard(mover, shard, to.name, { batchKeys: 5, progress: (m) => progress.push(m) });
    duringMove = accepted.length - countBefore;
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    moving = false;
    await Promise.all(load);
  }

  ctx.diagnostic(
    `move: ${report.totalMs} ms, freeze ${report.freezeMs} ms ${JSON.stringify(report.freezeStepsMs)}, ` +
      `${duringMove} orders placed during it, slowest checkout ${Math.round(slowest)} ms`,
  );
  assert.deepEqual(failures, [], 'no checkout failed during the move');
  assert.ok(duringMove > 0, 'orders were placed while the shard moved');
  assert.equal(report.from, from.name);
  assert.equal(report.to, to.name);
  assert.equal(t.app.stores.shards.forShard(shard).name, to.name, 'the serving node follows the map');
  assert.ok(report.freezeMs < 3000, `freeze of ${report.freezeMs} ms: ${JSON.stringify(report)}\n${progress.join('\n')}`);
  assert.ok(slowest < 6000, `slowest checkout took ${Math.round(slowest)} ms`);

  const onTarget = await ordersOn(to, accepted);
  const onSource = await ordersOn(from, accepted);
  assert.equal(new Set(accepted).size, accepted.length, 'no order id was answered twice');
  assert.equal(onTarget.size, accepted.length, 'every accepted order is on the new database');
  assert.ok(
    [...onTarget.values()].every((n) => n === 1),
    'exactly once',
  );
  assert.equal(onSource.size, 0, 'none on the old database');
  const { rows } = await to.pool.query<{ n: number }>('select count(*)::int as n from orders where customer_id = any($1::uuid[])', [
    customers.map((c) => c.id),
  ]);
  assert.equal(rows[0]!.n, accepted.length, 'no order the customers were not told about');

  // Nothing of the shard is left on the old database, in any table.
  const status = await shardStatus(mover);
  const old = status.databases.find((d) => d.database === from.name)!;
  for (const table of old.tables) assert.equal(table.byShard[shard] ?? 0, 0, `${table.table} still has rows of shard ${shard}`);
  assert.deepEqual(status.stray, []);
  const triggers = await from.pool.query("select tgname from pg_trigger where tgname like 'platform_shard_move_%'");
  assert.equal(triggers.rowCount, 0, 'the capture triggers are gone');

  // Payment jobs queued on the old database before the move still find their orders.
  await t.drainJobs();
  for (const id of accepted) assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid', id);
  const charges = t.provider.charges().filter((c) => accepted.includes(c.reference));
  assert.equal(charges.length, accepted.length, 'each order charged once');
  const listed = await t.server.inject({ method: 'GET', url: '/api/v1/orders', headers: customers[0]!.headers });
  assert.equal(listed.statusCode, 200, listed.body);
});

test('a writer in flight on the old database at freeze time is waited for and copied; one that comes after is fenced off', async () => {
  const { from, to } = otherDatabase();
  const owner = customers[0]!.id;
  const variantA = item.variantIds[0]!;
  const raw = async () => {
    const c = new pg.Client({ connectionString: from.url });
    await c.connect();
    return c;
  };
  const early = await raw();
  const late = await raw();
  // The line both writers change exists before the move (committed): the late writer's update must
  // find a row, or it changes nothing, fires no trigger and meets no fence. Whether the customer
  // still had this line depended on the traffic of the test before (a checkout empties the cart),
  // which made this test fail now and then.
  await early.query(
    `insert into cart_lines (owner_id, owner_kind, variant_id, quantity) values ($1, 'account', $2, 1)
     on conflict (owner_id, owner_kind, variant_id) do update set quantity = 1`,
    [owner, variantA],
  );
  let lateError: unknown = null;
  let lateDone: Promise<void> = Promise.resolve();
  try {
    const report = await moveShard(mover, shard, to.name, {
      lockTimeoutMs: 5000,
      afterBulkCopy: async () => {
        // Bypasses the router, as a node that missed the freeze would: writes to the old database
        // and holds the transaction open across the freeze.
        await early.query('begin');
        await early.query(
          `insert into cart_lines (owner_id, owner_kind, variant_id, quantity) values ($1, 'account', $2, 7)
           on conflict (owner_id, owner_kind, variant_id) do update set quantity = 7`,
          [owner, variantA],
        );
        setTimeout(() => void early.query('commit'), 400);
        // Starts writing once the mover has asked for the shard's lock exclusively (granted or still
        // waiting for the early writer): the update then waits for the early writer's row, and its
        // trigger for the mover's lock, and meets the fence. (Waiting until the lock was granted
        // raced: the mover holds it only for the tail and the fence, and a 10 ms poll could miss it.)
        lateDone = (async () => {
          for (let i = 0; i < 500; i++) {
            const held = await late.query(
              `select 1 from pg_locks where locktype = 'advisory' and mode = 'ExclusiveLock' and objid = $1
                 and classid = (hashtext('atelier.shard_move')::bigint & 4294967295)::text::oid`,
              [shard],
            );
            if (held.rowCount) break;
            await new Promise((r) => setTimeout(r, 10));
          }
          await late
            .query(`update cart_lines set quantity = 9 where owner_id = $1 and owner_kind = 'account' and variant_id = $2`, [
              owner,
              variantA,
            ])
            .catch((err: unknown) => {
              lateError = err;
            });
        })();
      },
    });
    await lateDone;
    assert.ok(report.freezeMs >= 200, 'the freeze waited for the open transaction');
  } finally {
    await early.end();
    await late.end();
  }
  assert.equal((lateError as { code?: string } | null)?.code, SHARD_FENCE_SQLSTATE, 'the late writer was refused');
  const { rows } = await to.pool.query<{ quantity: number }>(
    "select quantity from cart_lines where owner_id = $1 and owner_kind = 'account' and variant_id = $2",
    [owner, variantA],
  );
  assert.deepEqual(
    rows.map((r) => r.quantity),
    [7],
    'the in-flight write reached the new database, the fenced one did not',
  );
  const left = await from.pool.query('select 1 from cart_lines where owner_id = $1', [owner]);
  assert.equal(left.rowCount, 0);
});

test('the mover knows every table a shard database holds', async () => {
  const { rows } = await mover.databases[0]!.pool.query<{ name: string }>(
    "select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'migrations_%' and tablename not like 'platform_%'",
  );
  assert.deepEqual(rows.map((r) => r.name).sort(), SHARD_TABLES.map((s) => s.table).sort());
});

test('moving a shard onto the database that holds it, or to one not configured, is refused', async () => {
  const here = t.app.stores.shards.forShard(shard).name;
  await assert.rejects(moveShard(mover, shard, here), /already on/);
  await assert.rejects(moveShard(mover, shard, 'nowhere'), /no shard database named "nowhere"/);
  await assert.rejects(moveShard(mover, 99, here), /logical shard must be/);
});

test('a shard left frozen by a dead mover: requests wait, answer 503 SHARD_MOVING after 5 s, and `cleanup` thaws it', async () => {
  await changeShardMap(mover.catalog.db, shard, { state: 'frozen' });
  let waiting: Promise<LightMyRequestResponse> | null = null;
  try {
    for (let i = 0; i < 200 && !t.app.stores.shards.frozen().has(shard); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(t.app.stores.shards.frozen().has(shard), 'the node saw the freeze');
    const started = Date.now();
    const held = await placeOrder(customers[0]!);
    assert.equal(held.statusCode, 503, held.body);
    assert.equal(held.json<{ error: { code: string } }>().error.code, 'SHARD_MOVING');
    assert.ok(held.headers['retry-after'], 'Retry-After is set');
    assert.ok(Date.now() - started >= 4500, 'the request waited for the freeze to end first');
    waiting = placeOrder(customers[0]!);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await cleanupShard(mover, shard);
  }
  const released = await waiting;
  assert.equal(released.statusCode, 202, `a request held by the freeze goes through once it ends: ${released.body}`);
  assert.equal((await readShardMap(mover.catalog.db)).rows[shard]!.state, 'serving');
  assert.deepEqual(t.app.stores.shards.frozen(), new Set());
});
