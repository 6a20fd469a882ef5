import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHotCache } from './hot-cache.ts';

test('entries expire after the ttl or their own earlier expiry, and can be deleted', () => {
  // A clock the test moves: with real sleeps a loaded machine overslept the 20 ms step past the
  // 40 ms ttl and the test failed in CI.
  let clock = 1_000_000;
  const hot = createHotCache({ ttlMs: 40, maxEntries: 10, now: () => clock });
  hot.set('a', 1);
  hot.set('b', 2, clock + 10);
  assert.equal(hot.get('a'), 1);
  assert.equal(hot.get('b'), 2);
  clock += 20;
  assert.equal(hot.get('a'), 1);
  assert.equal(hot.get('b'), undefined, 'its own expiry came first');
  hot.delete(['a']);
  assert.equal(hot.get('a'), undefined);
  hot.set('c', 3);
  clock += 39;
  assert.equal(hot.get('c'), 3, 'fresh until the ttl');
  clock += 1;
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

test('getMany: loads only the missing keys in one call, and keeps what it loaded', async () => {
  const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
  hot.set('a', 1);
  const asked: string[][] = [];
  const load = async (missing: string[]) => {
    asked.push(missing);
    return new Map(missing.filter((k) => k !== 'gone').map((k) => [k, k.length]));
  };
  assert.deepEqual([...(await hot.getMany(['a', 'bb', 'gone'], load))].sort(), [
    ['a', 1],
    ['bb', 2],
  ]);
  assert.deepEqual([...(await hot.getMany(['a', 'bb'], load))].sort(), [
    ['a', 1],
    ['bb', 2],
  ]);
  assert.deepEqual(asked, [['bb', 'gone']], 'the second call was all hits; a key the load did not find is not kept');
});

test('getMany and getOrLoad: a change made while a load runs (set, delete, clear) keeps the load out', async () => {
  for (const change of ['set', 'delete', 'clear'] as const) {
    const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const reading = hot.getMany(['k'], async () => {
      await gate;
      return new Map([['k', 'read before the change']]);
    });
    if (change === 'set') hot.set('k', 'the change');
    else if (change === 'delete') hot.delete(['k']);
    else hot.clear();
    release();
    assert.equal((await reading).get('k'), 'read before the change');
    assert.equal(hot.get('k'), change === 'set' ? 'the change' : undefined, change);
  }
  const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const reading = hot.getOrLoad('k', async () => {
    await gate;
    return 'read before the change';
  });
  hot.set('k', 'the change');
  release();
  await reading;
  assert.equal(hot.get('k'), 'the change', 'a set value is not overwritten by an older load');
});

test('getMany: a change to another key does not keep the load out; a key already loading is not loaded twice', async () => {
  const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
  const asked: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const load = async (missing: string[]) => {
    asked.push(missing);
    await gate;
    return new Map(missing.map((k) => [k, `${k} read`]));
  };
  const first = hot.getMany(['a', 'b'], load);
  // A second reader of the same keys (say, many buyers in a line) and getOrLoad join the load in flight.
  const second = hot.getMany(['b', 'c'], load);
  const single = hot.getOrLoad('a', async () => 'a loaded again');
  // Another process's change to an unrelated key: a and b are still what the load read.
  hot.set('z', 'changed');
  release();
  assert.deepEqual(
    [...(await first)],
    [
      ['a', 'a read'],
      ['b', 'b read'],
    ],
  );
  assert.deepEqual([...(await second)].sort(), [
    ['b', 'b read'],
    ['c', 'c read'],
  ]);
  assert.equal(await single, 'a read');
  assert.deepEqual(asked, [['a', 'b'], ['c']], 'each key loaded once');
  assert.equal(hot.get('a'), 'a read', 'kept: only z changed while it loaded');
  assert.equal(hot.get('c'), 'c read');
});

test('getMany: a failed load fails every reader waiting on it, and is not kept', async () => {
  const hot = createHotCache({ ttlMs: 60_000, maxEntries: 10 });
  let fail!: (err: Error) => void;
  const gate = new Promise<never>((_, reject) => (fail = reject));
  const first = hot.getMany(['a', 'b'], () => gate);
  const second = hot.getMany(['b'], async () => new Map([['b', 'never asked']]));
  fail(new Error('database down'));
  await assert.rejects(first, /database down/);
  await assert.rejects(second, /database down/);
  assert.deepEqual(
    [...(await hot.getMany(['a', 'b'], async (m) => new Map(m.map((k) => [k, 'later']))))],
    [
      ['a', 'later'],
      ['b', 'later'],
    ],
  );
});
