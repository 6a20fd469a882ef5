import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { newCustomerId, newShardedId } from '../../shared/ids.ts';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { openShardRouter } from './shard-router.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('the shard map spreads logical shards over both physical databases and is persisted', async () => {
  const { shards } = t.app.stores;
  assert.equal(shards.databases.length, 2);
  const placed = new Set(shards.placement().values());
  assert.deepEqual([...placed].sort(), ['shard0', 'shard1']);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from platform_shard_map`.execute(t.app.stores.catalog.db);
  assert.equal(rows[0]!.n, 16);
});

test('an id routes to its database without any lookup query', () => {
  const { shards } = t.app.stores;
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add(shards.forId(newCustomerId(16)).name);
  assert.deepEqual([...seen].sort(), ['shard0', 'shard1']);
  assert.equal(shards.forId(newShardedId(3)).name, shards.placement().get(3));
});

test('the map refuses a database that the configuration does not name', async () => {
  const { catalog } = t.app.stores;
  await sql`update platform_shard_map set database_name = 'gone' where logical_shard = 5`.execute(catalog.db);
  try {
    await assert.rejects(openShardRouter(catalog, 16, t.app.stores.shards.databases), /logical shard 5 on database "gone"/);
  } finally {
    await sql`update platform_shard_map set database_name = 'shard1' where logical_shard = 5`.execute(catalog.db);
  }
});

test('the number of logical shards cannot change once data is placed', async () => {
  const { initShardMap } = await import('./shard-router.ts');
  await assert.rejects(
    initShardMap(t.app.stores.catalog.db, 32, ['shard0', 'shard1']),
    /LOGICAL_SHARDS is 32 but the data was placed with 16/,
  );
});
