import type { Logger } from 'pino';
import { cacheSeries } from '../observability/cache-metrics.ts';
import type { Cache, CacheSettings, LoadOptions } from './cache-contract.ts';

/**
 * After a failed refresh of a stale entry, how long it is served as it is before the loader is
 * tried again: a database that is down is asked every few seconds, not once per request.
 */
export const GRACE_BACKOFF_MS = 5000;

type Entry = {
  value: unknown;
  /** Served as it is until then (the TTL). */
  freshUntil: number;
  /** Past freshUntil and until then, served stale while one refresh runs (the grace period). */
  staleUntil: number;
  /** No refresh starts before then (set after a failed one: GRACE_BACKOFF_MS). */
  retryAt: number;
  tags: readonly string[] | null;
};

/**
 * The cache with one tier, in this process's memory: what runs when no `REDIS_URL` is set. The
 * two-tier cache (cache.ts, bentocache with Redis) keeps the same promises; this one keeps them
 * with a Map, because bentocache's miss path (options resolved per call, a mutex per key, tracing
 * channels, events, a second lookup under the lock) cost more than the database read it wraps:
 * cold product reads ran at half the speed of the same reads with the cache off (issue 18).
 * Here a miss is two Map lookups, the load, and one Map write.
 *
 * - One load per key at a time: concurrent misses share it (stampede protection).
 * - A value is fresh for its TTL; then, for the grace period, it is still answered at once while
 *   one refresh runs in the background; a refresh that fails keeps it served (the database is
 *   down) and is retried after GRACE_BACKOFF_MS. `grace: false` entries are never served stale.
 * - `invalidate` deletes: the next read loads. A load in flight for a deleted key read what came
 *   before the change, so it is answered to its callers but not kept, and later reads load again.
 * - At most `maxItems` entries; past it the one written longest ago goes first (a read does not
 *   move it: the catalog's hot layer answers the hot keys before this cache, and a key evicted
 *   while still read is loaded again once).
 * - A loader's error reaches the caller as it is (no wrapping).
 */
export function createMemoryCache(settings: CacheSettings, log: Logger | null = null): Cache {
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<unknown>>();
  const graceMs = settings.graceSeconds * 1000;
  const defaultTtlMs = settings.ttlSeconds * 1000;

  function keep(key: string, value: unknown, tags: readonly string[], opts: LoadOptions | undefined): void {
    const now = Date.now();
    const freshUntil = now + (opts?.ttlSeconds !== undefined ? opts.ttlSeconds * 1000 : defaultTtlMs);
    const staleUntil = opts?.grace === false ? freshUntil : freshUntil + graceMs;
    // Re-inserted at the end: the Map's order is the eviction order.
    entries.delete(key);
    if (entries.size >= settings.maxItems) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, { value, freshUntil, staleUntil, retryAt: 0, tags: tags.length > 0 ? tags : null });
  }

  /**
   * Runs `load` as the one load of `key`; its value is kept only if it is still the registered
   * load when it settles (an invalidation meanwhile unregisters it).
   */
  function startLoad<T>(key: string, tags: readonly string[], load: () => Promise<T>, opts: LoadOptions | undefined): Promise<T> {
    const promise: Promise<T> = load().then(
      (value) => {
        if (loading.get(key) === promise) {
          loading.delete(key);
          if (value !== undefined) keep(key, value, tags, opts);
        }
        return value;
      },
      (err: unknown) => {
        if (loading.get(key) === promise) loading.delete(key);
        throw err;
      },
    );
    loading.set(key, promise);
    return promise;
  }

  return {
    enabled: true,
    tiers: 'memory',
    ttlSeconds: settings.ttlSeconds,
    getOrLoad<T>(key: string, tags: readonly string[], load: () => Promise<T>, opts?: LoadOptions): Promise<T> {
      const counts = cacheSeries(key);
      const entry = entries.get(key);
      if (entry !== undefined) {
        const now = Date.now();
        if (now < entry.freshUntil) {
          counts.memoryHit.inc();
          return Promise.resolve(entry.value as T);
        }
        if (now < entry.staleUntil) {
          counts.memoryHit.inc();
          counts.stale.inc();
          if (now >= entry.retryAt && !loading.has(key)) {
            startLoad(key, tags, load, opts).catch((err: unknown) => {
              // Still the entry we served: keep serving it, and leave the database alone for a while.
              if (entries.get(key) === entry) entry.retryAt = Date.now() + GRACE_BACKOFF_MS;
              log?.debug({ err, key }, 'cache refresh failed; the stale value is served');
            });
          }
          return Promise.resolve(entry.value as T);
        }
        entries.delete(key);
      }
      const inFlight = loading.get(key) as Promise<T> | undefined;
      if (inFlight !== undefined) {
        // Answered without running the loader: a hit, as the two-tier cache counts it.
        counts.memoryHit.inc();
        return inFlight;
      }
      counts.memoryMiss.inc();
      return startLoad(key, tags, load, opts);
    },
    async invalidate({ keys = [], tags = [] }) {
      for (const key of keys) {
        entries.delete(key);
        loading.delete(key);
      }
      if (tags.length > 0) {
        for (const [key, entry] of entries) {
          if (entry.tags?.some((tag) => tags.includes(tag))) entries.delete(key);
        }
      }
    },
    async clear() {
      entries.clear();
      loading.clear();
    },
    // One process, one tier: no other node can change anything here.
    onRemoteChange: () => {},
    async close() {
      entries.clear();
      loading.clear();
    },
  };
}
