import { EventEmitter } from 'node:events';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import type { Logger } from 'pino';
import { observeCacheEvents, withCacheSpans } from '../observability/cache-metrics.ts';
import { redisBus } from '../redis/redis-bus.ts';
import { REDIS_RETRY_AFTER_MS, type RedisConnections } from '../redis/redis.ts';

/**
 * The read cache for public catalog data and session lookups. One loader per key (stampede
 * protection: a burst of cold reads of one product makes one query), a grace period (a stale
 * value is served while it is refreshed, and while the database is down), and invalidation by key
 * or tag on write.
 *
 * Two tiers when Redis is configured (bentocache's L1/L2): the in-process memory tier answers
 * first; the Redis tier is shared by every node, so a page one node loaded is a hit on the others;
 * and every invalidation is also published on a Redis channel (bentocache's bus) so that each
 * node drops its in-process copy. Without Redis only the memory tier exists and nothing else
 * changes.
 *
 * Redis holds nothing that cannot be rebuilt, so a Redis failure never fails a read: each Redis
 * command gives up after `REDIS_TIMEOUT_MS`, a failure opens bentocache's L2 circuit breaker for
 * `REDIS_RETRY_AFTER_MS` (reads go straight from memory to the loader, no Redis round trip at all), and the
 * next command after that tries Redis again, so the tier comes back by itself. An invalidation
 * made while Redis is unreachable reaches the other nodes' memory tiers when it is back (the bus
 * retries what it could not send, up to 10,000 messages), but it never reaches the Redis tier
 * itself; an entry it missed there can be served for at most `CACHE_TTL_SECONDS`.
 */
export type Cache = Readonly<{
  enabled: boolean;
  /** Which tiers answer: `memory` (level 0), or `memory+redis` when `REDIS_URL` is set. */
  tiers: 'memory' | 'memory+redis';
  /**
   * How long an entry is fresh (`CACHE_TTL_SECONDS`). Past it, within the grace period, the entry
   * is still served (at once, while one loader refreshes it, and for as long as the loader fails):
   * a caller that stamps its values with their load time can tell a stale answer by this.
   */
  ttlSeconds: number;
  /**
   * The cached value, or the loader's (one loader per key at a time). A loader that answers
   * `undefined` caches nothing. `opts` changes the defaults for one kind of entry: another
   * `ttlSeconds`, or `grace: false` for entries that must never be served stale.
   */
  getOrLoad<T>(key: string, tags: readonly string[], load: () => Promise<T>, opts?: LoadOptions): Promise<T>;
  invalidate(what: { keys?: readonly string[]; tags?: readonly string[] }): Promise<void>;
  clear(): Promise<void>;
  /**
   * Tells a per-process layer in front of this cache (catalog's hot pages) which keys another
   * node invalidated or replaced, or `null` when it cleared everything. Only called with Redis.
   */
  onRemoteChange(listener: (keys: readonly string[] | null) => void): void;
  close(): Promise<void>;
}>;

export type LoadOptions = Readonly<{ ttlSeconds?: number; grace?: boolean }>;

export type CacheSettings = Readonly<{ enabled: boolean; ttlSeconds: number; graceSeconds: number; maxItems: number }>;

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
  const tiers = shared ? 'memory+redis' : 'memory';
  // With a Redis tier the memory tier must serialize too: bentocache's L1 without serialization
  // next to an L2 throws "reading 'deserialize'" on L1 reads and in the bus subscriber (bentocache
  // issue #111, still so in 1.6.1), which failed requests and killed API processes. Alone, it keeps
  // objects as they are. The price with Redis: every memory-tier hit parses its entry again. The
  // catalog's hot layer (hot-cache.ts) spares its pages that; search pages and session
  // lookups pay it on each hit.
  const store = bentostore().useL1Layer(memoryDriver({ maxItems: settings.maxItems, serialize: shared !== null }));
  if (shared) {
    store.useL2Layer(redisDriver({ connection: shared.redis.commands, prefix: `${shared.redis.keyPrefix}:cache` }));
    store.useBus(redisBus(shared.redis, shared.log));
  }
  const emitter = new EventEmitter();
  const bento = new BentoCache({
    default: 'catalog',
    ttl: `${settings.ttlSeconds}s`,
    grace: settings.graceSeconds > 0 ? `${settings.graceSeconds}s` : false,
    // After a failed refresh, keep serving the stale value and retry the database in 5 s, not per request.
    graceBackoff: '5s',
    l2CircuitBreakerDuration: REDIS_RETRY_AFTER_MS,
    // A Redis error is logged by the connection (once per outage) and never reaches the caller.
    suppressL2Errors: true,
    emitter,
    stores: { catalog: store },
  });

  // Hits and misses per cache (key prefix) and tier: atelier_cache_hits_total / atelier_cache_misses_total.
  observeCacheEvents(emitter, tiers);

  const remoteListeners: Array<(keys: readonly string[] | null) => void> = [];
  if (shared) {
    emitter.on('bus:message:received', (event: { message: { keys: string[]; type: string } }) => {
      const keys = event.message.type === 'clear' ? null : event.message.keys;
      for (const listener of remoteListeners) listener(keys);
    });
  }

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
