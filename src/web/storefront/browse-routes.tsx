import type { FastifyInstance } from 'fastify';
import { homePage } from './home.tsx';
import { listingPage } from './listing.tsx';
import { searchPage } from './search.tsx';
import { createSeoFiles } from './seo.ts';
import { shopPage } from './shop.tsx';
import type { StorefrontDeps } from './site.ts';

/** Browsing: home, listings, search, shops, and what crawlers read. All public and cached. */
export function browseRoutes(app: FastifyInstance, deps: StorefrontDeps): void {
  const seo = createSeoFiles(deps);
  const page = { schema: { hide: true } };
  app.get('/', page, (request, reply) => homePage(deps, request, reply));
  app.get('/products', page, (request, reply) => listingPage(deps, request, reply));
  app.get<{ Params: { slug: string } }>('/categories/:slug', page, (request, reply) =>
    listingPage(deps, request, reply, request.params.slug),
  );
  app.get('/search', page, (request, reply) => searchPage(deps, request, reply));
  app.get<{ Params: { slug: string } }>('/shops/:slug', page, (request, reply) => shopPage(deps, request, reply, request.params.slug));
  app.get('/sitemap.xml', page, (request, reply) => seo.index(request, reply));
  app.get<{ Params: { file: string } }>('/sitemaps/:file', page, (request, reply) => seo.file(request, reply, request.params.file));
  app.get('/robots.txt', page, (request, reply) => seo.robots(request, reply));
}
