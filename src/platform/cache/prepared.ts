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

export function prepare<T>(value: T): Prepared<T> {
  const json = JSON.stringify(value);
  return { value, json, version: createHash('sha1').update(json).digest('base64url') };
}
