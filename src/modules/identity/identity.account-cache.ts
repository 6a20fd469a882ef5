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
  /** Drops this process's copy (after identity changed the account). */
  forget(id: string): void;
}>;

/**
 * A plain in-process map rather than the platform cache (cache.ts): the value must not be served
 * stale (the platform cache's grace), must stay in this process (with Redis the platform cache
 * would copy names and email addresses there and parse them again on every hit), and a hit must
 * cost no more than a map lookup, which is the point on the payment worker's hot path.
 * Concurrent misses for one account share one load.
 */
export function createAccountCache(ttlMs = ACCOUNT_CACHE_MS, maxEntries = ACCOUNT_CACHE_MAX, now = Date.now): AccountCache {
  const entries = new Map<string, { account: Account; expiresAt: number }>();
  const loading = new Map<string, { promise: Promise<Account | null>; epoch: number }>();
  // Bumped by every forget: a load that started before a change must not store what it read.
  let epoch = 0;

  if (ttlMs <= 0) return { get: (_id, load) => load(), forget: () => {} };

  return {
    async get(id, load) {
      const hit = entries.get(id);
      if (hit && hit.expiresAt > now()) return hit.account;
      if (hit) entries.delete(id);
      const pending = loading.get(id);
      if (pending && pending.epoch === epoch) return pending.promise;
      const startedAt = epoch;
      const promise = load().finally(() => {
        if (loading.get(id)?.promise === promise) loading.delete(id);
      });
      loading.set(id, { promise, epoch: startedAt });
      const account = await promise;
      if (account && epoch === startedAt && !entries.has(id)) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(id, { account, expiresAt: now() + ttlMs });
      }
      return account;
    },
    forget(id) {
      entries.delete(id);
      loading.delete(id);
      epoch++;
    },
  };
}
