import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Cross-site request forgery protection for the pages' forms: a form post is accepted only when
 * the browser says it came from this site. Browsers send `Sec-Fetch-Site` (fetch metadata) and
 * `Origin` on every POST, and a page on another site can forge neither; a POST with neither is
 * not from a browser's form and is refused too (programs use the JSON API with a token). This
 * is OWASP's "verify the origin with standard headers" defence, and it needs no token in the
 * HTML, so the public pages with forms (add to cart) stay cacheable by a CDN. Session and cart
 * cookies are also `SameSite=Lax`, which keeps them off cross-site posts in the first place.
 */
export function isSameOriginPost(request: FastifyRequest, allowedOrigins: ReadonlySet<string>): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return site === 'same-origin';
  return allowedOrigins.has(origin) || origin === `${request.protocol}://${request.host}`;
}

/** Fastify preHandler for the pages' POST routes: 403 with the site's error page when cross-site. */
export function requireSameOrigin(
  allowedOrigins: ReadonlySet<string>,
  refuse: (request: FastifyRequest, reply: FastifyReply) => FastifyReply,
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (!isSameOriginPost(request, allowedOrigins)) return refuse(request, reply);
  };
}
