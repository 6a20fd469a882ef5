import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { createHotCache } from '../platform/cache/hot-cache.ts';
import type { PublicCachePolicy } from '../platform/http/cached-json.ts';
import { sendEncoded } from './assets.ts';

/** A page rendered once: its HTML, strong ETag and gzip form, kept while the data it shows is current. */
/** `body` is the HTML already encoded as UTF-8: a warm page is sent without encoding it again. */
export type RenderedPage = Readonly<{ html: string; body: Buffer; etag: string; gzip: Buffer; stale: boolean }>;

/** Renders a page component to a whole HTML document. Text and attributes are escaped by Preact. */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

export function toRenderedPage(html: string, stale = false): RenderedPage {
  return {
    html,
    body: Buffer.from(html),
    etag: `"${createHash('sha1').update(html).digest('base64url')}"`,
    gzip: gzipSync(html, { level: 6 }),
    stale,
  };
}

/**
 * Rendered public pages in this process, keyed by the versions of the values they show (a product
 * page's key holds its product's version): a warm page is neither rendered nor compressed again,
 * and a changed value makes a new key, so nothing needs invalidating. The time to live only bounds
 * memory for keys nobody asks for again.
 */
export type PageCache = Readonly<{ get(key: string, render: () => VNode, stale?: boolean): RenderedPage }>;

export function createPageCache(opts: { maxEntries: number } = { maxEntries: 5000 }): PageCache {
  const kept = createHotCache({ ttlMs: 10 * 60_000, maxEntries: opts.maxEntries });
  return {
    get(key, render, stale = false) {
      // A page made from a stale value is not kept: the next request may find the fresh one.
      const known = stale ? undefined : kept.get<RenderedPage>(key);
      if (known) return known;
      const page = toRenderedPage(renderDocument(render()), stale);
      if (!stale) kept.set(key, page);
      return page;
    },
  };
}

const HTML = 'text/html; charset=utf-8';

function matches(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  return inm !== undefined && inm.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`);
}

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
  status = 200,
  /** sitemap.xml and robots.txt are sent the same way. */
  contentType = HTML,
): FastifyReply {
  const sMaxAge = status !== 200 ? Math.min(policy.sMaxAge, 10) : page.stale ? Math.min(policy.sMaxAge, 5) : policy.sMaxAge;
  const swr = status === 200 && !page.stale ? `, stale-while-revalidate=${policy.staleWhileRevalidate}` : '';
  void reply.header('cache-control', `public, max-age=0, s-maxage=${sMaxAge}${swr}`).header('etag', page.etag);
  if (status === 200 && matches(request, page.etag)) return reply.code(304).send();
  void reply.code(status).type(contentType);
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
