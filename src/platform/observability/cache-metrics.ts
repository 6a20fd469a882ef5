import type { EventEmitter } from 'node:events';
import { cacheHits, cacheMisses, cacheStaleHits } from './metrics.ts';
import type { HotCounterSeries } from './hot-metrics.ts';
import { activeTracer, inSpan, SpanKind } from './tracing.ts';

type CacheSeries = Readonly<{
  memoryHit: HotCounterSeries;
  memoryMiss: HotCounterSeries;
  redisHit: HotCounterSeries;
  redisMiss: HotCounterSeries;
  stale: HotCounterSeries;
}>;

/** Distinct cache names kept; past this, reads are counted under `other`. */
const MAX_CACHES = 100;
const byName = new Map<string, CacheSeries>();

function seriesFor(name: string): CacheSeries {
  let s = byName.get(name);
  if (!s) {
    // 'other' itself is always admitted: it is where the names past the cap go.
    if (byName.size >= MAX_CACHES && name !== 'other') return seriesFor('other');
    s = {
      memoryHit: cacheHits.series(name, 'memory'),
      memoryMiss: cacheMisses.series(name, 'memory'),
      redisHit: cacheHits.series(name, 'redis'),
      redisMiss: cacheMisses.series(name, 'redis'),
      stale: cacheStaleHits.series(name),
    };
    byName.set(name, s);
  }
  return s;
}

/**
 * The cache a key belongs to: its first two `:`-separated parts (`catalog:product:<id>` is
 * `catalog:product`, `identity:session:<hash>` is `identity:session`), the whole key when shorter.
 */
export function cacheNameOf(key: string): string {
  const first = key.indexOf(':');
  if (first < 0) return key.length <= 40 ? key : 'other';
  const second = key.indexOf(':', first + 1);
  return second < 0 ? key : key.slice(0, second);
}

/** The hit, miss and stale counters of the cache `key` belongs to, for a cache that counts its own reads (memory-cache.ts). */
export function cacheSeries(key: string): CacheSeries {
  return seriesFor(cacheNameOf(key));
}

/**
 * Counts bentocache's hit and miss events per cache and tier. An answer from the Redis tier is
 * also a miss of the memory tier in front of it, and a miss of every tier runs the loader, so
 * each tier's hit ratio is hits / (hits + misses) of that tier.
 */
export function observeCacheEvents(emitter: EventEmitter, tiers: 'memory' | 'memory+redis'): void {
  const withRedis = tiers === 'memory+redis';
  emitter.on('cache:hit', (e: { key: string; layer?: string; graced?: boolean }) => {
    const s = seriesFor(cacheNameOf(e.key));
    if (e.layer === 'l2') {
      s.memoryMiss.inc();
      s.redisHit.inc();
    } else {
      s.memoryHit.inc();
    }
    if (e.graced) s.stale.inc();
  });
  emitter.on('cache:miss', (e: { key: string }) => {
    const s = seriesFor(cacheNameOf(e.key));
    s.memoryMiss.inc();
    if (withRedis) s.redisMiss.inc();
  });
}

/**
 * The cache with a span around each read when tracing is on (started before the cache is made);
 * the cache itself, untouched, when it is off.
 */
export function withCacheSpans<
  C extends { getOrLoad<T>(key: string, tags: readonly string[], load: () => Promise<T>, opts?: never): Promise<T> },
>(cache: C): C {
  if (!activeTracer()) return cache;
  return {
    ...cache,
    getOrLoad: (key: string, tags: readonly string[], load: () => Promise<unknown>, opts?: never) =>
      inSpan(`cache ${cacheNameOf(key)}`, SpanKind.INTERNAL, { 'atelier.cache.key': key }, null, () =>
        cache.getOrLoad(key, tags, load, opts),
      ),
  };
}
