import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Prepared } from '../cache/prepared.ts';

/** The headers that mark a stale or a degraded answer (`Warning: 110` is obsolete since RFC 9111). */
export const STALE_HEADER = 'atelier-stale';
export const DEGRADED_HEADER = 'atelier-degraded';
/** How long a CDN may keep a stale or degraded answer: short, so it asks again soon after the source is back. */
const STALE_S_MAXAGE = 5;
/** How long a CDN may keep a not-found: long enough to absorb a burst, short enough to forget. */
const NOT_FOUND_S_MAXAGE = 10;

export type PublicCachePolicy = Readonly<{ sMaxAge: number; staleWhileRevalidate: number }>;

/** What a route answers, as a coded 404, for a read whose value is `null`. */
export type PublicNotFound = Readonly<{ code: string; message: string }>;

/**
 * The 404 bodies, one per code and message: routes name a handful of constants, so this stays
 * small, and a burst of not-founds is not serialised once per request.
 */
const notFoundBodies = new Map<string, string>();
function notFoundBody(nf: PublicNotFound): string {
  const key = `${nf.code}\n${nf.message}`;
  let body = notFoundBodies.get(key);
  if (body === undefined) {
    // The one error shape (platform/http/schemas.ts ErrorResponseSchema), as app/http-errors.ts sends it.
    body = JSON.stringify({ error: { code: nf.code, message: nf.message } });
    notFoundBodies.set(key, body);
  }
  return body;
}

/**
 * `Cache-Control` for a public answer: a fresh one may be kept `s-maxage` and served stale while
 * revalidating; a stale or degraded one (`brief`) and a not-found only for a few seconds, so a CDN
 * asks again soon after the source is back or the thing exists. The JSON reads and the pages
 * (web/html.ts) both answer with it.
 */
export function publicCacheControl(policy: PublicCachePolicy, answer: 'fresh' | 'brief' | 'not_found'): string {
  if (answer === 'fresh') return `public, max-age=0, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`;
  return `public, max-age=0, s-maxage=${Math.min(policy.sMaxAge, answer === 'brief' ? STALE_S_MAXAGE : NOT_FOUND_S_MAXAGE)}`;
}

/** Whether the client already holds this version (`If-None-Match`, weak or strong, in a list or alone). */
export function clientHolds(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  return inm !== undefined && (inm === etag || inm.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`));
}

const GENERIC_NOT_FOUND: PublicNotFound = { code: 'NOT_FOUND', message: 'Not found' };

/**
 * Presents a prepared public read as JSON with `ETag` (its version) and `Cache-Control` (so a CDN
 * can absorb a spike), answering `304` when the client already holds this version, and a coded
 * `404` when the value is `null` (the caller names the code; a read that may be null must). A stale
 * or degraded answer says so (`Atelier-Stale`, `Atelier-Degraded`) and may be kept by a CDN only
 * briefly, with no stale-while-revalidate on top.
 */
export function sendPublicJson<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  prepared: Prepared<T>,
  policy: PublicCachePolicy,
  ...notFound: null extends T ? [PublicNotFound] : []
): FastifyReply {
  if (prepared.stale) reply.header(STALE_HEADER, 'true');
  if (prepared.degraded) reply.header(DEGRADED_HEADER, 'true');
  const brief = prepared.stale === true || prepared.degraded === true;
  if (prepared.value === null) {
    reply.header('cache-control', publicCacheControl(policy, brief ? 'brief' : 'not_found'));
    return reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(notFoundBody(notFound[0] ?? GENERIC_NOT_FOUND));
  }
  reply.header('cache-control', publicCacheControl(policy, brief ? 'brief' : 'fresh'));
  const etag = `"${prepared.version}"`;
  reply.header('etag', etag);
  if (clientHolds(request, etag)) return reply.code(304).send();
  return reply.code(200).type('application/json; charset=utf-8').send(prepared.json);
}
