/**
 * The cache's contract, which both implementations keep: the memory tier alone (memory-cache.ts,
 * when no `REDIS_URL` is set) and memory plus Redis (cache.ts, bentocache). One conformance suite
 * (cache-contract.test.ts) runs against both.
 *
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
