import { createHotCache } from '../../platform/cache/hot-cache.ts';
import type { Account } from './identity.types.ts';

/**
 * How long this process reuses an account it read (`getAccount`). Every paid order looks up its
 * customer and each seller to address their emails: without this, two or more shard round trips
 * per order, mostly for the same few busy sellers.
 *
 * The staleness bound: a change identity makes in this process forgets the entry at once
 * (`forget`); a change made by another process (another node, an admin's SQL) is seen here at the
 * latest ACCOUNT_CACHE_MS after it committed. Nothing is served past that (no grace, no serving
 * while the database is down), and a missing account is never cached.
 *
 * Why a few seconds is acceptable for an order email's address: the address is already a snapshot
 * taken when the order is marked paid (it travels in the email job, which may be retried for
 * minutes while the mail server is down), so an address changed seconds before the payment may
 * go unused either way; the old address was the account's own a moment earlier, and the order is
 * in the account whatever the email says. Five seconds adds nothing a customer could notice
 * beyond that, and a busy seller's lookups drop from one per order to one per five seconds.
 */
export const ACCOUNT_CACHE_MS = 5000;
/** Bound on the entries kept: a flood of distinct accounts evicts the oldest, never grows memory. */
export const ACCOUNT_CACHE_MAX = 10_000;

export type AccountCache = Readonly<{
  /** The account, from this process's copy while it is younger than the TTL, else from `load`. */
  get(id: string, load: () => Promise<Account | null>): Promise<Account | null>;
  /** Drops this process's copy, and keeps a read in flight from storing what it read (after identity changed the account). */
  forget(id: string): void;
}>;

/**
 * The platform's hot cache (an in-process map) rather than the shared cache (cache.ts): the value
 * must not be served stale (the shared cache's grace), must stay in this process (with Redis the
 * shared cache would copy names and email addresses there and parse them again on every hit), and
 * a hit must cost no more than a map lookup, which is the point on the payment worker's hot path.
 * Concurrent misses for one account share one load; a missing account is not kept.
 */
export function createAccountCache(ttlMs = ACCOUNT_CACHE_MS, maxEntries = ACCOUNT_CACHE_MAX, now = Date.now): AccountCache {
  if (ttlMs <= 0) return { get: (_id, load) => load(), forget: () => {} };
  const hot = createHotCache({ ttlMs, maxEntries, now });
  return {
    async get(id, load) {
      return (await hot.getOrLoad<Account>(id, async () => (await load()) ?? undefined)) ?? null;
    },
    forget(id) {
      hot.delete([id]);
    },
  };
}
