import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A public response prepared once and served many times: the JSON text, its strong ETag, and its
 * status. Caches keep these, so a warm read neither queries nor serialises.
 */
export type PreparedJson = Readonly<{
  status: number;
  body: string;
  etag: string;
  /** Served from a cache past its freshness (its source could not be read, or is being re-read). */
  stale?: boolean;
  /** A lesser answer given instead of the usual one (a simpler query when the full one was too slow). */
  degraded?: boolean;
}>;

/** The headers that mark a stale or a degraded answer (`Warning: 110` is obsolete since RFC 9111). */
export const STALE_HEADER = 'atelier-stale';
export const DEGRADED_HEADER = 'atelier-degraded';
/** How long a CDN may keep a stale or degraded answer: short, so it asks again soon after the source is back. */
const STALE_S_MAXAGE = 5;

export function prepareJson(value: unknown, status = 200): PreparedJson {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return { status, body, etag };
}

export type PublicCachePolicy = Readonly<{ sMaxAge: number; staleWhileRevalidate: number }>;

/**
 * Sends a prepared public response with `ETag` and `Cache-Control` (so a CDN can absorb a spike),
 * answering `304` when the client already holds this version. A stale or degraded one says so
 * (`Atelier-Stale`, `Atelier-Degraded`) and may be kept by a CDN only briefly, with no
 * stale-while-revalidate on top.
 */
export function sendPublicJson(
  request: FastifyRequest,
  reply: FastifyReply,
  prepared: PreparedJson,
  policy: PublicCachePolicy,
): FastifyReply {
  if (prepared.stale) reply.header(STALE_HEADER, 'true');
  if (prepared.degraded) reply.header(DEGRADED_HEADER, 'true');
  const brief = prepared.stale === true || prepared.degraded === true;
  if (prepared.status === 200) {
    reply.header(
      'cache-control',
      brief
        ? `public, max-age=0, s-maxage=${Math.min(policy.sMaxAge, STALE_S_MAXAGE)}`
        : `public, max-age=0, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`,
    );
    reply.header('etag', prepared.etag);
    const inm = request.headers['if-none-match'];
    if (inm && (inm === prepared.etag || inm.split(',').some((t) => t.trim() === prepared.etag || t.trim() === `W/${prepared.etag}`))) {
      return reply.code(304).send();
    }
  } else {
    reply.header('cache-control', `public, max-age=0, s-maxage=${Math.min(policy.sMaxAge, brief ? STALE_S_MAXAGE : 10)}`);
  }
  return reply.code(prepared.status).type('application/json; charset=utf-8').send(prepared.body);
}
