import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';

/**
 * The read cache for public catalog data. One loader per key (stampede protection: a burst of cold
 * reads of one product makes one query), a grace period (a stale value is served while it is
 * refreshed, and while the database is down), and invalidation by key or tag on write.
 * The in-process tier is bentocache's memory driver; the Redis tier and cross-node invalidation
 * plug into the same store later without changing callers.
 */
export type Cache = Readonly<{
  enabled: boolean;
  getOrLoad<T>(key: string, tags: readonly string[], load: () => Promise<T>): Promise<T>;
  invalidate(what: { keys?: readonly string[]; tags?: readonly string[] }): Promise<void>;
  clear(): Promise<void>;
  close(): Promise<void>;
}>;

export type CacheSettings = Readonly<{ enabled: boolean; ttlSeconds: number; graceSeconds: number; maxItems: number }>;

export function createCache(settings: CacheSettings): Cache {
  if (!settings.enabled) {
    return {
      enabled: false,
      getOrLoad: (_key, _tags, load) => load(),
      invalidate: async () => {},
      clear: async () => {},
      close: async () => {},
    };
  }
  const bento = new BentoCache({
    default: 'catalog',
    ttl: `${settings.ttlSeconds}s`,
    grace: settings.graceSeconds > 0 ? `${settings.graceSeconds}s` : false,
    // After a failed refresh, keep serving the stale value and retry the database in 5 s, not per request.
    graceBackoff: '5s',
    stores: {
      catalog: bentostore().useL1Layer(memoryDriver({ maxItems: settings.maxItems, serialize: false })),
    },
  });
  return {
    enabled: true,
    getOrLoad: (key, tags, load) => bento.getOrSet({ key, tags: [...tags], factory: load }),
    async invalidate({ keys = [], tags = [] }) {
      if (keys.length > 0) await bento.deleteMany({ keys: [...keys] });
      if (tags.length > 0) await bento.deleteByTag({ tags: [...tags] });
    },
    clear: () => bento.clear(),
    close: () => bento.disconnect(),
  };
}
