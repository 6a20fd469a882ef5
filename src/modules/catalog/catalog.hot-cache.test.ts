import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHotCache } from './catalog.hot-cache.ts';

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
