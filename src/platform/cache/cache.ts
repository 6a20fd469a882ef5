import { EventEmitter } from 'node:events';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import type { Logger } from 'pino';
import { observeCacheEvents, withCacheSpans } from '../observability/cache-metrics.ts';
import { redisBus } from '../redis/redis-bus.ts';
import { REDIS_RETRY_AFTER_MS, type RedisConnections } from '../redis/redis.ts';
import type { Cache, CacheSettings, LoadOptions } from './cache-contract.ts';
import { GRACE_BACKOFF_MS, createMemoryCache } from './memory-cache.ts';

export type { Cache, CacheSettings, LoadOptions } from './cache-contract.ts';

/** `shared`: the Redis connections and a logger, when `REDIS_URL` is set. */
export function createCache(settings: CacheSettings, shared: { redis: RedisConnections; log: Logger } | null = null): Cache {
  if (!settings.enabled) {
    return {
      enabled: false,
      tiers: 'memory',
      ttlSeconds: settings.ttlSeconds,
      getOrLoad: (_key, _tags, load) => load(),
      invalidate: async () => {},
      clear: async () => {},
      onRemoteChange: () => {},
      close: async () => {},
    };
  }
  // One tier: a Map does what is asked of it, without bentocache's per-read machinery (memory-cache.ts).
  // With tracing on, every read is a span (the loader's queries are its children).
  if (!shared) return withCacheSpans(createMemoryCache(settings, null));
  const tiers = 'memory+redis';
  // With a Redis tier the memory tier must serialize too: bentocache's L1 without serialization
  // next to an L2 throws "reading 'deserialize'" on L1 reads and in the bus subscriber (bentocache
  // issue #111, still so in 1.6.1), which failed requests and killed API processes. The price:
  // every memory-tier hit parses its entry again. The catalog's hot layer (hot-cache.ts) spares
  // its pages that; search pages and session lookups pay it on each hit.
  const store = bentostore()
    .useL1Layer(memoryDriver({ maxItems: settings.maxItems, serialize: true }))
    .useL2Layer(redisDriver({ connection: shared.redis.commands, prefix: `${shared.redis.keyPrefix}:cache` }))
    .useBus(redisBus(shared.redis, shared.log));
  const emitter = new EventEmitter();
  const bento = new BentoCache({
    default: 'catalog',
    ttl: `${settings.ttlSeconds}s`,
    grace: settings.graceSeconds > 0 ? `${settings.graceSeconds}s` : false,
    // After a failed refresh, keep serving the stale value and retry the database in 5 s, not per request.
    graceBackoff: GRACE_BACKOFF_MS,
    l2CircuitBreakerDuration: REDIS_RETRY_AFTER_MS,
    // A Redis error is logged by the connection (once per outage) and never reaches the caller.
    suppressL2Errors: true,
    emitter,
    stores: { catalog: store },
  });

  // Hits and misses per cache (key prefix) and tier: atelier_cache_hits_total / atelier_cache_misses_total.
  observeCacheEvents(emitter, tiers);

  const remoteListeners: Array<(keys: readonly string[] | null) => void> = [];
  emitter.on('bus:message:received', (event: { message: { keys: string[]; type: string } }) => {
    const keys = event.message.type === 'clear' ? null : event.message.keys;
    for (const listener of remoteListeners) listener(keys);
  });

  // With tracing on, every read is a span (the loader's queries are its children).
  return withCacheSpans({
    enabled: true,
    tiers,
    ttlSeconds: settings.ttlSeconds,
    getOrLoad<T>(key: string, tags: readonly string[], load: () => Promise<T>, opts?: LoadOptions): Promise<T> {
      return bento.getOrSet<T>({
        key,
        tags: [...tags],
        ...(opts?.ttlSeconds !== undefined ? { ttl: `${opts.ttlSeconds}s` } : {}),
        ...(opts?.grace === false ? { grace: false } : {}),
        factory: async (ctx) => {
          const value = await load();
          return value === undefined ? (ctx.skip() as T) : value;
        },
      });
    },
    async invalidate({ keys = [], tags = [] }) {
      if (keys.length > 0) await bento.deleteMany({ keys: [...keys] });
      if (tags.length > 0) await bento.deleteByTag({ tags: [...tags] });
    },
    clear: () => bento.clear(),
    onRemoteChange(listener) {
      remoteListeners.push(listener);
    },
    close: () => bento.disconnect(),
  });
}
