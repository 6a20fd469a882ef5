import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCache } from './cache.ts';
import { GRACE_BACKOFF_MS } from './memory-cache.ts';

/**
 * What the memory tier does beyond the contract (cache-contract.test.ts), through createCache as
 * the app calls it without REDIS_URL. The first test is issue 18's regression: a cold read with the
 * cache on ran at half the speed of the same read with the cache off, because the miss went
 * through a per-key lock, a second lookup and the resolution of its options before the loader
 * ran. Counted, not timed: on a miss the loader starts within the call itself.
 */
const settings = { enabled: true, ttlSeconds: 60, graceSeconds: 3600, maxItems: 3 };

test('a miss starts the loader within the call: no lock, lookup or option resolution awaited first', async () => {
  const cache = createCache(settings);
  let started = 0;
  const read = cache.getOrLoad('miss:test:1', [], async () => {
    started++;
    return 'loaded';
  });
  assert.equal(started, 1, 'the loader had not started when getOrLoad returned');
  assert.equal(await read, 'loaded');
  // A concurrent miss joins it, within the call too, and a hit answers without it.
  const joined = cache.getOrLoad('miss:test:2', [], async () => ++started);
  const again = cache.getOrLoad('miss:test:2', [], async () => ++started);
  assert.equal(started, 2);
  assert.equal(await joined, 2);
  assert.equal(await again, 2);
  assert.equal(await cache.getOrLoad('miss:test:1', [], async () => 'reloaded'), 'loaded');
  await cache.close();
});

test('a load in flight when its key is invalidated is answered but not kept', async () => {
  const cache = createCache(settings);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const before = cache.getOrLoad('miss:test:race', [], async () => {
    await gate;
    return 'read before the write';
  });
  await cache.invalidate({ keys: ['miss:test:race'] });
  // A read after the write does not join the load that began before it.
  const after = cache.getOrLoad('miss:test:race', [], async () => 'read after the write');
  release();
  assert.equal(await before, 'read before the write');
  assert.equal(await after, 'read after the write');
  assert.equal(await cache.getOrLoad('miss:test:race', [], async () => 'again'), 'read after the write');
  await cache.close();
});

test('past maxItems the entry written longest ago goes first', async () => {
  const cache = createCache(settings);
  for (const k of ['a', 'b', 'c', 'd']) await cache.getOrLoad(`miss:evict:${k}`, [], async () => k);
  let loads = 0;
  assert.equal(await cache.getOrLoad('miss:evict:a', [], async () => `a${++loads}`), 'a1', 'a was evicted');
  assert.equal(await cache.getOrLoad('miss:evict:d', [], async () => `d${++loads}`), 'd', 'd is kept');
  await cache.close();
});

test('after a failed refresh the stale value is served and the loader left alone for the back-off', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const cache = createCache({ ...settings, ttlSeconds: 1 });
  assert.equal(await cache.getOrLoad('miss:backoff', [], async () => 'seen'), 'seen');
  t.mock.timers.tick(1500);
  let attempts = 0;
  const failing = async (): Promise<string> => {
    attempts++;
    throw new Error('database down');
  };
  assert.equal(await cache.getOrLoad('miss:backoff', [], failing), 'seen');
  await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 5; i++) assert.equal(await cache.getOrLoad('miss:backoff', [], failing), 'seen');
  assert.equal(attempts, 1, 'one refresh, then the back-off');
  t.mock.timers.tick(GRACE_BACKOFF_MS);
  assert.equal(await cache.getOrLoad('miss:backoff', [], async () => 'back'), 'seen', 'stale while the retry runs');
  await new Promise((r) => setImmediate(r));
  assert.equal(await cache.getOrLoad('miss:backoff', [], failing), 'back');
  await cache.close();
});

test('tags: an invalidated tag drops the entries written with it', async () => {
  const cache = createCache(settings);
  await cache.getOrLoad('miss:tag:1', ['t1'], async () => 'one');
  await cache.getOrLoad('miss:tag:2', ['t2'], async () => 'two');
  await cache.invalidate({ tags: ['t1'] });
  assert.equal(await cache.getOrLoad('miss:tag:1', ['t1'], async () => 'one again'), 'one again');
  assert.equal(await cache.getOrLoad('miss:tag:2', ['t2'], async () => 'two again'), 'two');
  await cache.close();
});
