import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { LiveSession } from './identity.types.ts';

export type ResolvedSession = LiveSession;

export type SessionCache = Readonly<{
  /** The live session behind a token hash: from the cache, else from `load` (cached when found). */
  resolve(tokenHash: Buffer, load: () => Promise<ResolvedSession | null>): Promise<ResolvedSession | null>;
  /** Drops a revoked session on this node and, through the cache's bus, on every other node. */
  forget(tokenHash: Buffer): Promise<void>;
}>;

/**
 * A read of the same entry that started before a revoke committed can store the old row back just
 * after the revoke deleted it; a second delete a moment later removes that copy too.
 */
const SECOND_FORGET_MS = 1000;

/**
 * Session lookups, cached in front of the shard query (memory tier always, Redis tier when set).
 * Every signed-in request resolves its token; without this each one costs a shard round trip.
 *
 * TTL (`SESSION_CACHE_SECONDS`, default 30 s, 0 = off): revocation does not depend on it, since
 * log-out, session revocation, password change and reset, and re-authentication delete the entry
 * on every node at once (the cache's bus). The TTL bounds only what a delete can miss: a
 * revocation made while Redis is unreachable (the other nodes keep their copy up to the TTL), and
 * the idle limit (a session can outlive it by at most the TTL). The absolute expiry travels in the
 * entry and is checked on every hit (identity.service.ts resolveToken), so a 12-hour staff session
 * ends at 12 hours on every node whatever the cache holds. 30 s keeps those windows short while cutting a busy customer's
 * session queries from one per request to one per 30 s per node; each of those loads also
 * refreshes the session's last-seen time, so the idle limit stays accurate to a minute.
 * Entries are never served stale (no grace): a session must not outlive a database outage.
 * Only live sessions are cached: a flood of made-up tokens cannot fill the cache.
 */
export function createSessionCache(cache: Cache, ttlSeconds: number, log: Logger): SessionCache {
  const key = (tokenHash: Buffer) => `identity:session:${tokenHash.toString('base64url')}`;
  if (!cache.enabled || ttlSeconds === 0) {
    return { resolve: (_hash, load) => load(), forget: async () => {} };
  }
  return {
    async resolve(tokenHash, load) {
      const found = await cache.getOrLoad(key(tokenHash), [], async () => (await load()) ?? undefined, { ttlSeconds, grace: false });
      return found ?? null;
    },
    async forget(tokenHash) {
      const keys = [key(tokenHash)];
      await cache.invalidate({ keys });
      setTimeout(() => {
        cache.invalidate({ keys }).catch((err: unknown) => log.debug({ err }, 'second session cache delete failed'));
      }, SECOND_FORGET_MS).unref();
    },
  };
}
