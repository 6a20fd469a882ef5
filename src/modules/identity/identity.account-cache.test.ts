import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAccountCache } from './identity.account-cache.ts';
import type { Account } from './identity.types.ts';

const account = (id: string, email: string): Account => ({ id, email, name: 'Ada', role: 'customer', emailVerified: true });

/** A loader that answers what `current` holds when called, and counts its calls. */
function source(initial: Account | null) {
  const s = {
    current: initial,
    calls: 0,
    load: async () => {
      s.calls++;
      return s.current;
    },
  };
  return s;
}

describe('identity: the account cache', () => {
  test('serves its copy until the TTL, then reads again', async () => {
    let clock = 1000;
    const cache = createAccountCache(5000, 100, () => clock);
    const src = source(account('a', 'old@example.test'));
    assert.equal((await cache.get('a', src.load))?.email, 'old@example.test');
    src.current = account('a', 'new@example.test'); // changed by another process
    clock += 4999;
    assert.equal((await cache.get('a', src.load))?.email, 'old@example.test', 'within the TTL');
    assert.equal(src.calls, 1);
    clock += 1;
    assert.equal((await cache.get('a', src.load))?.email, 'new@example.test', 'at the TTL, never later');
    assert.equal(src.calls, 2);
  });

  test('forget makes the next read load, and a load that started before it stores nothing', async () => {
    const cache = createAccountCache(60_000, 100);
    const src = source(account('a', 'old@example.test'));
    await cache.get('a', src.load);
    src.current = account('a', 'new@example.test');
    cache.forget('a');
    assert.equal((await cache.get('a', src.load))?.email, 'new@example.test');

    // A read in flight while the account changes returns what it read, but must not keep it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = cache.get('b', async () => {
      await gate;
      return account('b', 'before@example.test');
    });
    cache.forget('b');
    release();
    assert.equal((await slow)?.email, 'before@example.test');
    const fresh = source(account('b', 'after@example.test'));
    assert.equal((await cache.get('b', fresh.load))?.email, 'after@example.test');
    assert.equal(fresh.calls, 1);
  });

  test('concurrent misses share one load; a missing account and a failed load are not cached', async () => {
    const cache = createAccountCache(60_000, 100);
    const src = source(account('a', 'a@example.test'));
    const got = await Promise.all([cache.get('a', src.load), cache.get('a', src.load), cache.get('a', src.load)]);
    assert.equal(src.calls, 1);
    assert.ok(got.every((a) => a?.email === 'a@example.test'));

    const none = source(null);
    assert.equal(await cache.get('x', none.load), null);
    assert.equal(await cache.get('x', none.load), null);
    assert.equal(none.calls, 2, 'a missing account is read each time (it may be created)');

    await assert.rejects(
      cache.get('y', async () => {
        throw new Error('shard down');
      }),
      /shard down/,
    );
    const back = source(account('y', 'y@example.test'));
    assert.equal((await cache.get('y', back.load))?.email, 'y@example.test', 'a failed load is retried by the next read');
  });

  test('holds at most maxEntries accounts (oldest out first); a TTL of 0 turns it off', async () => {
    const cache = createAccountCache(60_000, 2);
    const srcs = ['a', 'b', 'c'].map((id) => ({ id, src: source(account(id, `${id}@example.test`)) }));
    for (const { id, src } of srcs) await cache.get(id, src.load);
    for (const { id, src } of srcs) await cache.get(id, src.load);
    assert.deepEqual(
      srcs.map(({ src }) => src.calls),
      [2, 2, 2],
      'each read of three in a cache of two found its entry evicted',
    );

    const off = createAccountCache(0);
    const src = source(account('a', 'a@example.test'));
    await off.get('a', src.load);
    await off.get('a', src.load);
    assert.equal(src.calls, 2);
  });
});
