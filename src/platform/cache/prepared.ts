import { createHash } from 'node:crypto';

/**
 * A value read for the public, with its JSON text and a version (content hash), prepared once and
 * kept by the caches: a warm read neither queries nor serialises, whether a JSON route sends the
 * text or a page renders the value. A not-found is `value: null`; how to say so (a 404, a page)
 * is the presenter's business, not the domain's.
 */
export type Prepared<T> = Readonly<{
  value: T;
  /** `JSON.stringify(value)`, computed once. */
  json: string;
  /** The SHA-1 of `json`, base64url: changes exactly when the text does (an HTTP edge's strong ETag). */
  version: string;
  /** Served from a cache past its freshness (its source could not be read, or is being re-read). */
  stale?: boolean;
  /** A lesser answer given instead of the usual one (a simpler query when the full one was too slow). */
  degraded?: boolean;
}>;

/**
 * The shape of a cached Prepared, for cache keys: bumped whenever that shape changes, so that
 * nodes of two releases sharing the Redis tier during a rolling deploy each read only entries
 * they understand (v1 was `{ status, body, etag }`; a v2 node reading one would send no body, and a
 * v1 node reading a v2 entry would fail). The price, for that deploy only: a write on an old node
 * does not retire a new node's entry under its key, which then ages out within the cache TTL.
 */
export const PREPARED_FORMAT = 'v2';

export function prepare<T>(value: T): Prepared<T> {
  const json = JSON.stringify(value);
  return { value, json, version: createHash('sha1').update(json).digest('base64url') };
}
