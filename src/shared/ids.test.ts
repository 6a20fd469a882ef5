import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isId, newCustomerId, newId, newShardedId, shardOfId } from './ids.ts';

test('a sharded id carries its logical shard and is a valid UUIDv7', () => {
  for (const shard of [0, 1, 15, 63, 4095]) {
    const id = newShardedId(shard);
    assert.ok(isId(id), id);
    assert.equal(shardOfId(id), shard);
  }
  assert.throws(() => newShardedId(4096), RangeError);
  assert.throws(() => newShardedId(-1), RangeError);
});

test('customer ids spread evenly over the logical shards and route by their own bits', () => {
  const counts = new Array<number>(16).fill(0);
  for (let i = 0; i < 16_000; i++) {
    const id = newCustomerId(16);
    assert.ok(isId(id));
    const shard = shardOfId(id);
    assert.ok(shard < 16);
    counts[shard]!++;
  }
  // 1,000 expected per shard; a skewed hash would leave some far off.
  for (const c of counts) assert.ok(c > 800 && c < 1200, `uneven placement: ${counts.join(',')}`);
});

test('ids are time-ordered, so keyset pages and B-tree inserts follow creation', async () => {
  const a = newId();
  await new Promise((r) => setTimeout(r, 2));
  const b = newShardedId(7);
  assert.ok(a < b);
});
