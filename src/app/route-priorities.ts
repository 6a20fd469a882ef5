import type { RoutePriority } from '../platform/http/load-shedding.ts';

/**
 * What load shedding refuses first (platform/http/load-shedding.ts), in one table a reader can
 * audit: when the process is overloaded, browsing and reporting make way for buying.
 *
 * - `critical`, never shed: placing an order and following it, the cart that feeds it, and
 *   signing in to do so. A shopper who got this far is the one the site exists for. Checkout
 *   itself, though, has a bounded share (BOUNDED_ROUTES below).
 * - `browse`: public catalog reads. Shed at level 1 for anonymous clients (most of the traffic
 *   of a spike, and served from caches and CDNs when they are up), at level 2 for signed-in ones.
 * - `sheddable`: reports, exports and the API description: nobody's purchase waits on them, and
 *   they are the most expensive reads.
 * - `exempt`: the probes; refusing them would have the orchestrator restart a node that is merely
 *   busy. (The metrics scrape has its own listener, outside load shedding: main.ts, METRICS_PORT.)
 * - Anything not listed (seller writes, signed-in account pages, sign-up) is `normal`: shed at
 *   level 2, and, like everything but `critical` and `exempt`, over the in-flight limit.
 *
 * Keys are `METHOD /url/:pattern` as Fastify registers them (with the /api/v1 prefix). A HEAD
 * route takes its GET's priority. test/load-shedding.test.ts checks that every key names a route.
 */
export const ROUTE_PRIORITIES: ReadonlyMap<string, RoutePriority> = new Map<string, RoutePriority>([
  ['GET /health', 'exempt'],
  ['GET /ready', 'exempt'],

  ['POST /api/v1/checkout', 'critical'],
  ['GET /api/v1/orders', 'critical'],
  ['GET /api/v1/orders/:id', 'critical'],
  ['POST /api/v1/orders/:id/cancel', 'critical'],
  ['GET /api/v1/cart', 'critical'],
  ['PUT /api/v1/cart/lines/:variantId', 'critical'],
  ['DELETE /api/v1/cart/lines/:variantId', 'critical'],
  ['DELETE /api/v1/cart', 'critical'],
  ['POST /api/v1/auth/login', 'critical'],
  ['POST /api/v1/auth/logout', 'critical'],
  ['GET /api/v1/auth/me', 'critical'],
  // The same steps in the storefront's pages: a shopper's cart, checkout form, sign-in and orders.
  // (Before the in-flight limit these were `normal`, refused only at level 2; over the limit,
  // `normal` is refused at once.)
  ['GET /cart', 'critical'],
  ['POST /cart/lines', 'critical'],
  ['GET /checkout', 'critical'],
  ['POST /checkout', 'critical'],
  ['GET /sign-in', 'critical'],
  ['POST /sign-in', 'critical'],
  ['POST /sign-out', 'critical'],
  ['GET /account/orders', 'critical'],

  ['GET /api/v1/categories', 'browse'],
  ['GET /api/v1/products', 'browse'],
  ['GET /api/v1/products/:id', 'browse'],
  ['GET /api/v1/products/:id/stock', 'browse'],
  ['GET /api/v1/products/:id/images', 'browse'],
  ['GET /api/v1/shops/:slug', 'browse'],
  ['GET /api/v1/search', 'browse'],
  ['GET /media/:file', 'browse'],

  // The storefront's public pages (src/web/storefront): refused with the site's "busy" page.
  ['GET /', 'browse'],
  ['GET /products', 'browse'],
  ['GET /categories/:slug', 'browse'],
  ['GET /search', 'browse'],
  ['GET /shops/:slug', 'browse'],
  ['GET /robots.txt', 'browse'],
  // Crawlers come back later (and understand 503 + Retry-After); nobody's purchase waits on them.
  ['GET /sitemap.xml', 'sheddable'],
  ['GET /sitemaps/:file', 'sheddable'],

  ['GET /api/v1/seller/reports/summary', 'sheddable'],
  ['GET /api/v1/admin/reports/platform', 'sheddable'],
  ['POST /api/v1/seller/exports/orders', 'sheddable'],
  ['GET /api/v1/seller/exports/:id', 'sheddable'],
  ['GET /api/v1/seller/exports/:id/download', 'sheddable'],
  ['GET /api/v1/openapi.json', 'sheddable'],

  // The operator console during an incident: the figures and the job moves are what the operator
  // acts on (a few requests, cheap); the audit log's search and its full walk can wait.
  ['GET /api/v1/admin/now', 'critical'],
  ['POST /api/v1/admin/jobs/:database/:id/retry', 'critical'],
  ['POST /api/v1/admin/jobs/:database/:id/discard', 'critical'],
  ['GET /api/v1/admin/audit', 'sheddable'],
  ['GET /api/v1/admin/audit/verify', 'sheddable'],
  // The same in the console's pages; the studio's reports page is a report like the API's.
  ['GET /console', 'critical'],
  ['GET /console/jobs', 'critical'],
  ['POST /console/jobs/:database/:id/retry', 'critical'],
  ['POST /console/jobs/:database/:id/discard', 'critical'],
  ['GET /console/audit', 'sheddable'],
  ['GET /console/audit/verify', 'sheddable'],
  ['GET /studio/reports', 'sheddable'],
]);

/**
 * The routes whose concurrency load shedding bounds (SHED_CHECKOUT_CONCURRENCY per process, with a
 * short wait for a place, SHED_CHECKOUT_QUEUE_MS): placing an order, by the API and by the
 * storefront's form. Each costs tens of product pages; with absolute priority, at twice the
 * capacity the checkouts alone took the machine and browsing was all refused (issue 18). Same key
 * form as ROUTE_PRIORITIES; test/load-shedding.test.ts checks that each names a route.
 */
export const BOUNDED_ROUTES: ReadonlySet<string> = new Set(['POST /api/v1/checkout', 'POST /checkout']);
