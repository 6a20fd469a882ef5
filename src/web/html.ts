import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { createHotCache } from '../platform/cache/hot-cache.ts';
import { clientHolds, DEGRADED_HEADER, publicCacheControl, STALE_HEADER, type PublicCachePolicy } from '../platform/http/cached-json.ts';
import { sendEncoded } from './assets.ts';

/**
 * A page rendered once: its HTML already encoded as UTF-8 (a warm page is sent without encoding
 * it again), its strong ETag and its gzip form.
 */
export type RenderedPage = Readonly<{ body: Buffer; etag: string; gzip: Buffer }>;

/** Renders a page component to a whole HTML document. Text and attributes are escaped by Preact. */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

export function toRenderedPage(html: string): RenderedPage {
  const body = Buffer.from(html);
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"`, gzip: gzipSync(body, { level: 6 }) };
}

/**
 * Rendered public pages in this process, keyed by the versions of the values they show (a product
 * page's key holds its product's version): a warm page is neither rendered nor compressed again,
 * and a changed value makes a new key, so nothing needs invalidating. The time to live only bounds
 * memory for keys nobody asks for again.
 */
export type PageCache = Readonly<{ get(key: string, render: () => VNode): RenderedPage }>;

export function createPageCache(opts: { maxEntries: number } = { maxEntries: 5000 }): PageCache {
  const kept = createHotCache({ ttlMs: 10 * 60_000, maxEntries: opts.maxEntries });
  return {
    get(key, render) {
      // A page made from a stale value is kept too: its key names that value's version, so the
      // fresh one makes a new key, and an outage does not render every request again.
      const known = kept.get<RenderedPage>(key);
      if (known) return known;
      const page = toRenderedPage(renderDocument(render()));
      kept.set(key, page);
      return page;
    },
  };
}

const HTML = 'text/html; charset=utf-8';

/**
 * Sends a page anyone may be shown, and a CDN keep: ETag, `s-maxage` and stale-while-revalidate
 * like the JSON reads (platform/http/cached-json.ts), `304` when the client holds this version.
 * Such a page never holds anything personal (the cart count and the signed-in name are filled in
 * by a script from a private request). A page made from a stale value is kept briefly.
 */
export function sendPublicPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: RenderedPage,
  policy: PublicCachePolicy,
  /**
   * `stale`/`degraded`: a value it was made from was served past its freshness, or is a lesser
   * answer; said in the same headers as the JSON reads, and kept by a CDN only briefly.
   * `contentType`: sitemap.xml and robots.txt are sent the same way.
   */
  opts: Readonly<{ stale?: boolean; degraded?: boolean; contentType?: string }> = {},
): FastifyReply {
  if (opts.stale) void reply.header(STALE_HEADER, 'true');
  if (opts.degraded) void reply.header(DEGRADED_HEADER, 'true');
  const brief = opts.stale === true || opts.degraded === true;
  // A 304 varies as its 200 would, so a cache never pairs a gzip body with a plain request.
  void reply
    .header('cache-control', publicCacheControl(policy, brief ? 'brief' : 'fresh'))
    .header('etag', page.etag)
    .header('vary', 'accept-encoding');
  if (clientHolds(request, page.etag)) return reply.code(304).send();
  void reply.code(200).type(opts.contentType ?? HTML);
  return sendEncoded(request, reply, { body: page.body, gzip: page.gzip });
}

/**
 * Sends a page for one person (their cart, their orders, a form with their errors): never stored
 * by a shared cache (`no-store`, the server's default for anything not declared public).
 */
export function sendPrivatePage(request: FastifyRequest, reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  const html = renderDocument(page);
  void reply.code(status).type(HTML).header('cache-control', 'private, no-store');
  return sendEncoded(request, reply, { body: html, gzip: gzipSync(html, { level: 6 }) });
}

/** Post/redirect/get: a form's answer sends the browser to a page it can reload safely. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}
