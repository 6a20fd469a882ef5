import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

export type SecurityHeaderSettings = Readonly<{
  /** Served over HTTPS (COOKIE_SECURE): only then are HSTS and upgrade-insecure-requests sent. */
  https: boolean;
}>;

/**
 * The Content-Security-Policy, written for the server-rendered pages that come next (storefront,
 * studio, console) and harmless on JSON: everything from this origin only, no inline script or
 * style (islands load as files), images also as `data:` URLs (small placeholders), no plugins,
 * forms post only here, and no page of ours inside anyone's frame.
 */
const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** What every answer carries when nothing more precise was said: see installSecurityHeaders. */
export const PRIVATE_CACHE_CONTROL = 'no-store';

/**
 * Response headers that OWASP ASVS level 2 asks of every answer (issue 13, section 5):
 *
 * - helmet's set, built once at start: `X-Content-Type-Options: nosniff`, `Referrer-Policy:
 *   strict-origin-when-cross-origin`, framing refused twice (`X-Frame-Options: DENY` for old
 *   browsers, CSP `frame-ancestors 'none'`), the CSP above, the cross-origin isolation headers,
 *   and HSTS when the site is served over HTTPS. helmet rather than @fastify/helmet: the plugin
 *   rebuilds the middleware on every request (about ten times the cost, on cached catalog reads).
 * - `Cache-Control: no-store` on every answer that did not set its own. The decision is "private
 *   unless declared public", not a list of private URL prefixes: answers with a token or personal
 *   data (auth, account, cart, orders, seller and admin routes, and pages to come) are the many,
 *   a prefix list would miss the next one, and a forgotten route then costs a cache miss rather
 *   than a customer's data in a shared cache. The answers meant to be cached declare it by
 *   setting their own header: public catalog reads (platform/http/cached-json.ts, with ETag and
 *   `s-maxage`) and content-hashed media files (immutable).
 */
export function installSecurityHeaders(server: FastifyInstance, settings: SecurityHeaderSettings): void {
  const setHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: settings.https ? { ...CSP_DIRECTIVES, 'upgrade-insecure-requests': [] } : CSP_DIRECTIVES,
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Over plain HTTP (a laptop, the tests) HSTS means nothing and would pin localhost to HTTPS.
    strictTransportSecurity: settings.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  server.addHook('onRequest', (request, reply, done) => {
    setHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  server.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', PRIVATE_CACHE_CONTROL);
    done(null, payload);
  });
}
