/**
 * A tiny per-process map with a time to live and a size bound, for values read so often that the
 * shared cache (cache.ts) costs too much per hit: a hit there costs tens of microseconds (option
 * objects, tracing, tag checks, and with Redis a parse of the entry); here it is a Map lookup. The
 * catalog's hottest public pages and its variants for sale, inventory's coarse stock statuses and
 * identity's accounts on the payment job's path use it.
 *
 * Nothing is served past its time to live (no grace), so `ttlMs` is how stale a value can be when
 * a change made elsewhere does not reach here; a change made in this process deletes or sets the
 * entry, and a load in flight then (which may have read what came before) is not kept.
 */
export type HotCache = Readonly<{
  get<T>(key: string): T | undefined;
  /**
   * The value while it is fresh, else `load()`'s. Concurrent misses of one key share one load; a
   * load that resolves to undefined or fails is not kept. A `delete` of the key while its load is
   * in flight means the load read what came before the change: its result is returned, not kept.
   */
  getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined>;
  /**
   * The fresh values of `keys`, and `loadMissing(others)`'s for the rest, in one call (one query
   * for a page of ids). A key already loading (by getOrLoad or another getMany) waits for that load
   * instead. Each key's loaded value is kept unless that key was set, deleted or cleared while the
   * load ran: the load may have read what came before the change.
   */
  getMany<T>(keys: readonly string[], loadMissing: (missing: string[]) => Promise<ReadonlyMap<string, T>>): Promise<Map<string, T>>;
  /** Sets a value known to be current (a change made here): a load of the key in flight is not kept over it. */
  set(key: string, value: unknown, expiresAt?: number): void;
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

  function store(key: string, value: unknown, expiresAt?: number): void {
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

  /**
   * Registers `read` as the load of `key`, which later misses of the key share. What it reads is
   * kept only if it is still the registered load when it settles: a set, delete or clear of the
   * key meanwhile unregisters it (it may have read what came before that change).
   */
  function track<T>(key: string, read: Promise<T | undefined>): Promise<T | undefined> {
    const promise: Promise<T | undefined> = read.then(
      (value) => {
        if (loading.get(key) === promise) {
          loading.delete(key);
          if (value !== undefined) store(key, value);
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
    get,
    set(key, value, expiresAt) {
      loading.delete(key);
      store(key, value, expiresAt);
    },
    getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
      const fresh = get<T>(key);
      if (fresh !== undefined) return Promise.resolve(fresh);
      return (loading.get(key) as Promise<T | undefined> | undefined) ?? track(key, load());
    },
    async getMany<T>(keys: readonly string[], loadMissing: (missing: string[]) => Promise<ReadonlyMap<string, T>>) {
      const found = new Map<string, T>();
      const pending: Array<[string, Promise<T | undefined>]> = [];
      const missing: string[] = [];
      for (const k of keys) {
        const fresh = get<T>(k);
        if (fresh !== undefined) {
          found.set(k, fresh);
          continue;
        }
        const inFlight = loading.get(k) as Promise<T | undefined> | undefined;
        if (inFlight) pending.push([k, inFlight]);
        else missing.push(k);
      }
      if (missing.length > 0) {
        const batch = loadMissing(missing);
        for (const k of missing) {
          const one = batch.then((loaded) => loaded.get(k));
          pending.push([k, track(k, one)]);
        }
      }
      // All at once, so that a failed load rejects every wait on it together (none left unhandled).
      const values = await Promise.all(pending.map(([, p]) => p));
      pending.forEach(([k], i) => {
        if (values[i] !== undefined) found.set(k, values[i]);
      });
      return found;
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
