/**
 * A tiny per-process map with a time to live and a size bound, for values read so often that the
 * shared cache (cache.ts) costs too much per hit: a hit there costs tens of microseconds (option
 * objects, tracing, tag checks, and with Redis a parse of the entry); here it is a Map lookup. The
 * catalog's hottest public pages, identity's accounts on the payment job's path, and checkout's
 * sold-out reading for buyers waiting in line use it.
 *
 * Nothing is served past its time to live (no grace), so `ttlMs` is how stale a value can be when
 * a change made elsewhere does not reach here; a change made in this process deletes the entry.
 */
export type HotCache = Readonly<{
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown, expiresAt?: number): void;
  /**
   * The value while it is fresh, else `load()`'s. Concurrent misses of one key share one load; a
   * load that resolves to undefined or fails is not kept. A `delete` of the key while its load is
   * in flight means the load read what came before the change: its result is returned, not kept.
   */
  getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined>;
  delete(keys: readonly string[]): void;
  clear(): void;
}>;

export function createHotCache(opts: { ttlMs: number; maxEntries: number; now?: () => number }): HotCache {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { value: unknown; until: number }>();
  const loading = new Map<string, Promise<unknown>>();

  function get<T>(key: string): T | undefined {
    const e = entries.get(key);
    if (!e) return undefined;
    if (e.until > now()) return e.value as T;
    entries.delete(key);
    return undefined;
  }

  function set(key: string, value: unknown, expiresAt?: number): void {
    if (entries.size >= opts.maxEntries) {
      // Maps iterate in insertion order: drop the oldest tenth rather than one at a time.
      let drop = Math.ceil(opts.maxEntries / 10);
      for (const k of entries.keys()) {
        entries.delete(k);
        if (--drop === 0) break;
      }
    }
    entries.set(key, { value, until: Math.min(now() + opts.ttlMs, expiresAt ?? Infinity) });
  }

  return {
    get,
    set,
    getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
      const fresh = get<T>(key);
      if (fresh !== undefined) return Promise.resolve(fresh);
      const pending = loading.get(key) as Promise<T | undefined> | undefined;
      if (pending) return pending;
      const promise = load().then(
        (value) => {
          // Still the registered load (no delete meanwhile): keep what it read.
          if (loading.get(key) === promise) {
            loading.delete(key);
            if (value !== undefined) set(key, value);
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
    },
    delete(keys) {
      for (const k of keys) {
        entries.delete(k);
        loading.delete(k);
      }
    },
    clear() {
      entries.clear();
      loading.clear();
    },
  };
}
