import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A public response prepared once and served many times: the JSON text, its strong ETag, and its
 * status. Caches keep these, so a warm read neither queries nor serialises.
 */
export type PreparedJson = Readonly<{ status: number; body: string; etag: string }>;

export function prepareJson(value: unknown, status = 200): PreparedJson {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return { status, body, etag };
}

export type PublicCachePolicy = Readonly<{ sMaxAge: number; staleWhileRevalidate: number }>;

/**
 * Sends a prepared public response with `ETag` and `Cache-Control` (so a CDN can absorb a spike),
 * answering `304` when the client already holds this version.
 */
export function sendPublicJson(
  request: FastifyRequest,
  reply: FastifyReply,
  prepared: PreparedJson,
  policy: PublicCachePolicy,
): FastifyReply {
  if (prepared.status === 200) {
    reply.header('cache-control', `public, max-age=0, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`);
    reply.header('etag', prepared.etag);
    const inm = request.headers['if-none-match'];
    if (inm && (inm === prepared.etag || inm.split(',').some((t) => t.trim() === prepared.etag || t.trim() === `W/${prepared.etag}`))) {
      return reply.code(304).send();
    }
  } else {
    reply.header('cache-control', `public, max-age=0, s-maxage=${Math.min(policy.sMaxAge, 10)}`);
  }
  return reply.code(prepared.status).type('application/json; charset=utf-8').send(prepared.body);
}
