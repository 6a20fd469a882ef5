import type { FastifyReply, FastifyRequest } from 'fastify';
import { h, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { createHotCache } from '../../platform/cache/hot-cache.ts';
import { sendPublicPage, toRenderedPage, type RenderedPage } from '../html.ts';
import { sendNotFoundPage } from './errors.tsx';
import type { StorefrontDeps } from './site.ts';

/** Product URLs per sitemap file (the protocol allows 50,000; smaller files are cheaper to make and fetch). */
export const SITEMAP_PAGE_SIZE = 10_000;
/** The protocol's own limit per file, for the shops' file. */
const SITEMAP_MAX_URLS = 50_000;
/** How long a made sitemap is kept in this process: search engines read them rarely, and may lag this much. */
const SITEMAP_TTL_MS = 10 * 60_000;

const XML = 'application/xml; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

/** XML from Preact elements: text and attributes are escaped as in the pages, no strings glued together. */
function xml(root: VNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderToString(root)}`;
}

const url = (loc: string, lastmod?: string) => h('url', null, h('loc', null, loc), lastmod ? h('lastmod', null, lastmod) : null);

/** The paths robots may not crawl: personal pages and the JSON API. */
export const DISALLOWED = ['/cart', '/checkout', '/account', '/api/'] as const;

/**
 * sitemap.xml (an index of `/sitemaps/products-<n>.xml` and `/sitemaps/shops.xml`) and robots.txt.
 * Made from the catalog's sitemap reads, kept for ten minutes in this process and sent like a page
 * (ETag, s-maxage, stale-while-revalidate): crawlers never reach the database more than that.
 */
export function createSeoFiles(deps: StorefrontDeps) {
  const kept = createHotCache({ ttlMs: SITEMAP_TTL_MS, maxEntries: 200 });
  const base = deps.site.publicUrl;
  const robots = toRenderedPage(
    ['User-agent: *', 'Allow: /', ...DISALLOWED.map((p) => `Disallow: ${p}`), '', `Sitemap: ${base}/sitemap.xml`, ''].join('\n'),
  );

  // Concurrent misses (crawlers come in bursts) share one load.
  const made = async (key: string, make: () => Promise<string>): Promise<RenderedPage> =>
    (await kept.getOrLoad(key, async () => toRenderedPage(await make())))!;

  /** How many product files there are: a file number past them is a 404 without a query. */
  const productFiles = async (): Promise<number> =>
    (await kept.getOrLoad('product-files', async () =>
      Math.max(1, Math.ceil((await deps.catalog.service.countPublishedProducts()) / SITEMAP_PAGE_SIZE)),
    ))!;

  return {
    async index(request: FastifyRequest, reply: FastifyReply) {
      const files = await productFiles();
      const page = await made('index', async () => {
        return xml(
          h(
            'sitemapindex',
            { xmlns: NS },
            h('sitemap', null, h('loc', null, `${base}/sitemaps/shops.xml`)),
            Array.from({ length: files }, (_, i) => h('sitemap', null, h('loc', null, `${base}/sitemaps/products-${i + 1}.xml`))),
          ),
        );
      });
      return sendPublicPage(request, reply, page, deps.httpCache, { contentType: XML });
    },

    async file(request: FastifyRequest, reply: FastifyReply, name: string) {
      const products = /^products-([1-9]\d{0,5})\.xml$/.exec(name);
      let page: RenderedPage | null = null;
      if (products && Number(products[1]) <= (await productFiles())) {
        const n = Number(products[1]);
        page = await made(`products-${n}`, async () => {
          const rows = await deps.catalog.service.sitemapProducts((n - 1) * SITEMAP_PAGE_SIZE, SITEMAP_PAGE_SIZE);
          return xml(
            h(
              'urlset',
              { xmlns: NS },
              rows.map((r) => url(`${base}/products/${r.id}`, r.updatedAt)),
            ),
          );
        });
      } else if (name === 'shops.xml') {
        page = await made('shops', async () => {
          const shops = await deps.catalog.service.sitemapShops(SITEMAP_MAX_URLS - 3);
          return xml(
            h(
              'urlset',
              { xmlns: NS },
              url(`${base}/`),
              url(`${base}/products`),
              shops.map((s) => url(`${base}/shops/${encodeURIComponent(s.slug)}`, s.updatedAt)),
            ),
          );
        });
      }
      if (!page) return sendNotFoundPage(deps.site, request, reply);
      return sendPublicPage(request, reply, page, deps.httpCache, { contentType: XML });
    },

    robots(request: FastifyRequest, reply: FastifyReply) {
      return sendPublicPage(request, reply, robots, deps.httpCache, { contentType: TEXT });
    },
  };
}
