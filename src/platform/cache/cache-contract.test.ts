import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startTestRedis, redisServerAvailable, REDIS_SERVER_BIN, type TestRedis } from '../../../test/support/redis-server.ts';
import { createRedisConnections, type RedisConnections } from '../redis/redis.ts';
import { createCache, type Cache, type CacheSettings } from './cache.ts';

/**
 * The promises of cache-contract.ts, kept by both implementations: the memory tier alone (no
 * REDIS_URL) and memory plus Redis (bentocache). TTLs are whole seconds, so the tests that pass
 * one sleep past it; the grace periods are a minute, far beyond any oversleep.
 */
const SETTINGS: CacheSettings = { enabled: true, ttlSeconds: 1, graceSeconds: 60, maxItems: 1000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PAST_TTL_MS = 1300;

function contract(name: string, open: () => Promise<{ cache: Cache; close(): Promise<void> }>, skip: string | false): void {
  describe(name, { skip }, () => {
    let opened: { cache: Cache; close(): Promise<void> };
    let cache: Cache;
    let n = 0;
    /** A key of its own for each test, so the tests share one cache without sharing entries. */
    const key = () => `contract:test:${process.pid}:${++n}`;
    before(async () => {
      opened = await open();
      cache = opened.cache;
    });
    after(async () => {
      await opened.close();
    });

    test('a miss runs the loader; the next reads are answered without it', async () => {
      const k = key();
      let loads = 0;
      for (let i = 0; i < 3; i++) assert.deepEqual(await cache.getOrLoad(k, [], async () => ({ n: ++loads })), { n: 1 });
      assert.equal(loads, 1);
    });

    test('concurrent misses of one key share one load', async () => {
      const k = key();
      let loads = 0;
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          cache.getOrLoad(k, [], async () => {
            loads++;
            await sleep(30);
            return 'loaded';
          }),
        ),
      );
      assert.equal(loads, 1);
      assert.ok(answers.every((a) => a === 'loaded'));
    });

    test('a loader that answers undefined caches nothing', async () => {
      const k = key();
      let loads = 0;
      const load = async () => {
        loads++;
        return undefined;
      };
      assert.equal(await cache.getOrLoad(k, [], load), undefined);
      assert.equal(await cache.getOrLoad(k, [], load), undefined);
      assert.equal(loads, 2);
    });

    test('after invalidate, the next read loads again and sees the change', async () => {
      const k = key();
      let version = 1;
      const load = async () => version;
      assert.equal(await cache.getOrLoad(k, [], load), 1);
      version = 2;
      assert.equal(await cache.getOrLoad(k, [], load), 1);
      await cache.invalidate({ keys: [k] });
      assert.equal(await cache.getOrLoad(k, [], load), 2);
    });

    test("a loader's error reaches the caller (as itself or as the cause) and nothing is kept", async () => {
      const k = key();
      const boom = new Error('database down');
      const err = await cache.getOrLoad(k, [], () => Promise.reject(boom)).catch((e: unknown) => e);
      assert.ok(err === boom || (err as { cause?: unknown }).cause === boom, String(err));
      assert.equal(await cache.getOrLoad(k, [], async () => 'back'), 'back');
    });

    test('past its TTL, a value is answered stale at once while one refresh runs, then the refreshed one', async () => {
      const k = key();
      let version = 1;
      assert.equal(await cache.getOrLoad(k, [], async () => version), 1);
      version = 2;
      await sleep(PAST_TTL_MS);
      let refreshes = 0;
      const slowLoad = async () => {
        refreshes++;
        await sleep(50);
        return version;
      };
      assert.equal(await cache.getOrLoad(k, [], slowLoad), 1, 'stale, without waiting for the refresh');
      assert.equal(await cache.getOrLoad(k, [], slowLoad), 1, 'still stale while the refresh runs');
      await sleep(300);
      assert.equal(await cache.getOrLoad(k, [], slowLoad), 2);
      assert.equal(refreshes, 1);
    });

    test('past its TTL with the loader failing, the stale value is still answered', async () => {
      const k = key();
      assert.equal(await cache.getOrLoad(k, [], async () => 'seen'), 'seen');
      await sleep(PAST_TTL_MS);
      const failing = () => Promise.reject(new Error('database down'));
      for (let i = 0; i < 3; i++) {
        assert.equal(await cache.getOrLoad(k, [], failing), 'seen');
        await sleep(20);
      }
    });

    test('an entry with grace: false is never answered stale', async () => {
      const k = key();
      assert.equal(await cache.getOrLoad(k, [], async () => 'old', { grace: false }), 'old');
      await sleep(PAST_TTL_MS);
      assert.equal(await cache.getOrLoad(k, [], async () => 'new', { grace: false }), 'new');
      await sleep(PAST_TTL_MS);
      await assert.rejects(cache.getOrLoad(k, [], () => Promise.reject(new Error('down')), { grace: false }));
    });

    test('a per-entry TTL replaces the default one', async () => {
      const k = key();
      assert.equal(await cache.getOrLoad(k, [], async () => 'kept', { ttlSeconds: 60 }), 'kept');
      await sleep(PAST_TTL_MS);
      let loads = 0;
      assert.equal(await cache.getOrLoad(k, [], async () => `${++loads}`, { ttlSeconds: 60 }), 'kept');
      assert.equal(loads, 0, 'still fresh: no refresh started');
    });
  });
}

contract(
  'memory tier alone (no REDIS_URL)',
  async () => {
    const cache = createCache(SETTINGS);
    return { cache, close: () => cache.close() };
  },
  false,
);

contract(
  'memory and Redis tiers (bentocache)',
  async () => {
    const redis: TestRedis = await startTestRedis();
    const log = pino({ level: 'silent' });
    const connections: RedisConnections = createRedisConnections({ url: redis.url, timeoutMs: 500, keyPrefix: 'contract' }, log);
    const cache = createCache(SETTINGS, { redis: connections, log });
    return {
      cache,
      async close() {
        await cache.close();
        await connections.close();
        await redis.stop();
      },
    };
  },
  redisServerAvailable() ? false : `no redis-server at ${REDIS_SERVER_BIN} (set REDIS_SERVER_BIN)`,
);
