import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newShardedId } from '../../shared/ids.ts';
import { upsertSellerIndex } from './orders.repository.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t?.close());

async function sweepJobs(): Promise<Array<{ run_at: Date; attempts: number; max_attempts: number }>> {
  const { rows } = await t.app.stores.catalog.pool.query<{ run_at: Date; attempts: number; max_attempts: number }>(
    "select run_at, attempts, max_attempts from graphile_worker.jobs where task_identifier = 'orders.sweep'",
  );
  return rows;
}

test('the sweeper is one self-rescheduling job: seeding twice keeps one, each run schedules the next', async () => {
  await t.app.orders.scheduleSweeper();
  await t.app.orders.scheduleSweeper();
  assert.equal((await sweepJobs()).length, 1);
  await t.drainJobs();
  const [next, ...rest] = await sweepJobs();
  assert.equal(rest.length, 0, 'exactly one pending sweep');
  const ahead = next!.run_at.getTime() - Date.now();
  assert.ok(ahead > 20_000 && ahead <= 30_000, `next sweep in ${ahead} ms (SWEEP_INTERVAL_SECONDS defaults to 30)`);
});

test('the sweeper frees jobs a dead worker left locked, and only those', async () => {
  const db = t.app.stores.shards.databases[0]!;
  await db.pool.query(`select graphile_worker.add_job('orders.noop-stale', '{}'::json)`);
  await db.pool.query(`select graphile_worker.add_job('orders.noop-fresh', '{}'::json)`);
  await db.pool.query(`update graphile_worker._private_jobs set locked_at = now() - interval '10 minutes', locked_by = 'dead-worker'
    where task_id = (select id from graphile_worker._private_tasks where identifier = 'orders.noop-stale')`);
  await db.pool.query(`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'live-worker'
    where task_id = (select id from graphile_worker._private_tasks where identifier = 'orders.noop-fresh')`);
  const done = await t.app.orders.service.sweep();
  assert.equal(done.unlocked, 1);
  const { rows } = await db.pool.query<{ task_identifier: string; locked_by: string | null }>(
    "select task_identifier, locked_by from graphile_worker.jobs where task_identifier like 'orders.noop-%' order by task_identifier",
  );
  assert.deepEqual(rows, [
    { task_identifier: 'orders.noop-fresh', locked_by: 'live-worker' },
    { task_identifier: 'orders.noop-stale', locked_by: null },
  ]);
  await db.pool.query(
    "delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier like 'orders.noop-%')",
  );
});

test('the seller index never goes back to an older version of a sub-order', async () => {
  const sellerId = newShardedId(1);
  const db = t.app.stores.shards.forId(sellerId).db;
  const row = {
    seller_id: sellerId,
    sub_order_id: newShardedId(2),
    order_id: newShardedId(2),
    total: 100,
    currency: 'EUR',
    placed_at: new Date(),
  };
  await upsertSellerIndex(db, { ...row, status: 'shipped', version: 3 });
  await upsertSellerIndex(db, { ...row, status: 'paid', version: 2 });
  const { rows } = await t.app.stores.shards
    .forId(sellerId)
    .pool.query<{ status: string; version: number }>('select status, version from orders_seller_index where seller_id = $1', [sellerId]);
  assert.deepEqual(rows, [{ status: 'shipped', version: 3 }]);
  await upsertSellerIndex(db, { ...row, status: 'delivered', version: 4 });
  const again = await t.app.stores.shards
    .forId(sellerId)
    .pool.query<{ status: string }>('select status from orders_seller_index where seller_id = $1', [sellerId]);
  assert.equal(again.rows[0]!.status, 'delivered');
});
