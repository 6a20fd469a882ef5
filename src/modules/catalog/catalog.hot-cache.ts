/**
 * A tiny per-process layer in front of the shared cache for the hottest public pages. A hit in the
 * shared cache costs tens of microseconds (option objects, tracing, tag checks); a product page
 * served thousands of times a second should cost a Map lookup. Writes made on this node delete the
 * entry at once; with Redis, writes made on another node reach here through the shared cache's
 * bus (`Cache.onRemoteChange`), and without it (or while Redis is down) entries live at most
 * `ttlMs`, so such a write shows within that time.
 */
export type HotCache = Readonly<{
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown, expiresAt?: number): void;
  delete(keys: readonly string[]): void;
  clear(): void;
}>;

export function createHotCache(opts: { ttlMs: number; maxEntries: number }): HotCache {
  const entries = new Map<string, { value: unknown; until: number }>();
  return {
    get<T>(key: string): T | undefined {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until > Date.now()) return e.value as T;
      entries.delete(key);
      return undefined;
    },
    set(key, value, expiresAt) {
      if (entries.size >= opts.maxEntries) {
        // Maps iterate in insertion order: drop the oldest tenth rather than one at a time.
        let drop = Math.ceil(opts.maxEntries / 10);
        for (const k of entries.keys()) {
          entries.delete(k);
          if (--drop === 0) break;
        }
      }
      entries.set(key, { value, until: Math.min(Date.now() + opts.ttlMs, expiresAt ?? Infinity) });
    },
    delete(keys) {
      for (const k of keys) entries.delete(k);
    },
    clear() {
      entries.clear();
    },
  };
}
