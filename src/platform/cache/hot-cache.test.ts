import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHotCache } from './hot-cache.ts';

test('entries expire after the ttl or their own earlier expiry, and can be deleted', async () => {
  const hot = createHotCache({ ttlMs: 40, maxEntries: 10 });
  hot.set('a', 1);
  hot.set('b', 2, Date.now() + 10);
  assert.equal(hot.get('a'), 1);
  assert.equal(hot.get('b'), 2);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(hot.get('a'), 1);
  assert.equal(hot.get('b'), undefined, 'its own expiry came first');
  hot.delete(['a']);
  assert.equal(hot.get('a'), undefined);
  hot.set('c', 3);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(hot.get('c'), undefined, 'the ttl bounds how stale a page can be');
});

test('it never holds more than maxEntries, dropping the oldest first', () => {
  const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
  for (let i = 0; i < 25; i++) hot.set(`k${i}`, i);
  assert.equal(hot.get('k0'), undefined);
  assert.equal(hot.get('k24'), 24);
  let held = 0;
  for (let i = 0; i < 25; i++) if (hot.get(`k${i}`) !== undefined) held++;
  assert.ok(held <= 10, `held ${held}`);
});

test('getOrLoad: concurrent misses share one load, falsy values are kept, undefined and failures are not', async () => {
  const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
  let calls = 0;
  const load = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 5));
    return false;
  };
  assert.deepEqual(await Promise.all([hot.getOrLoad('k', load), hot.getOrLoad('k', load)]), [false, false]);
  assert.equal(await hot.getOrLoad('k', load), false, 'a false reading is a value like any other');
  assert.equal(calls, 1);

  let misses = 0;
  const nothing = async () => {
    misses++;
    return undefined;
  };
  await hot.getOrLoad('n', nothing);
  await hot.getOrLoad('n', nothing);
  assert.equal(misses, 2, 'undefined is not kept');

  await assert.rejects(
    hot.getOrLoad('f', () => Promise.reject(new Error('down'))),
    /down/,
  );
  assert.equal(await hot.getOrLoad('f', async () => 7), 7, 'a failed load is not kept');
});

test('getOrLoad: a delete while the load is in flight keeps its result out', async () => {
  const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const before = hot.getOrLoad('k', async () => {
    await gate;
    return 'read before the change';
  });
  hot.delete(['k']);
  release();
  assert.equal(await before, 'read before the change');
  assert.equal(await hot.getOrLoad('k', async () => 'after'), 'after');
});
