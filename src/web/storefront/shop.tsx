import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ShopPage as ShopValue } from '../../modules/catalog/index.ts';
import { Layout } from '../components/layout.tsx';
import { hrefWith } from '../components/pager.tsx';
import { ProductGrid } from '../components/product-card.tsx';
import { sendPublicPage } from '../html.ts';
import { sendNotFoundPage } from './errors.tsx';
import type { StorefrontDeps } from './site.ts';

/** The first sentence or so of a shop's story, for the meta description. */
function summary(text: string, fallback: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return fallback;
  return flat.length <= 155 ? flat : `${flat.slice(0, 152).replace(/\s+\S*$/, '')}…`;
}

function ShopPage(props: { deps: StorefrontDeps; value: ShopValue }) {
  const { site } = props.deps;
  const { shop, products } = props.value;
  const first = products.items[0];
  return (
    <Layout
      site={site}
      meta={{
        title: shop.name,
        description: summary(shop.description, `${shop.name}: handmade goods on ${site.siteName}.`),
        path: `/shops/${shop.slug}`,
        image: first?.image?.card,
        jsonLd: { '@context': 'https://schema.org', '@type': 'Store', name: shop.name, url: `${site.publicUrl}/shops/${shop.slug}` },
      }}
    >
      <div class="page-heading">
        <p class="muted">A shop on {site.siteName}</p>
        <h1>{shop.name}</h1>
        {shop.description ? <p class="lead shop-story">{shop.description}</p> : null}
      </div>
      <section class="section" aria-labelledby="shop-products">
        <div class="section-head">
          <h2 id="shop-products">From this workshop</h2>
          {products.items.length > 0 ? <a href={hrefWith('/products', [['shop', shop.slug]])}>See all, filter and sort</a> : null}
        </div>
        {products.items.length > 0 ? (
          <ProductGrid products={products.items} eagerCount={4} label={`Products from ${shop.name}`} />
        ) : (
          <p class="empty-state">Nothing for sale here yet. Come back soon.</p>
        )}
        {products.nextCursor ? (
          <nav class="pager" aria-label={`More from ${shop.name}`}>
            <span />
            <a
              class="button"
              href={hrefWith('/products', [
                ['shop', shop.slug],
                ['cursor', products.nextCursor],
              ])}
              rel="next"
            >
              More from this shop<span aria-hidden="true"> »</span>
            </a>
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}

/** `/shops/:slug`: the artisan's shop, its story and newest products. Cached under the shop read's version. */
export async function shopPage(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply, slug: string): Promise<FastifyReply> {
  const read = await deps.catalog.reads.shop(slug);
  if (read.value === null) return sendNotFoundPage(deps.site, request, reply);
  const value = read.value;
  const page = deps.pages.get(`shop|${read.version}`, () => <ShopPage deps={deps} value={value} />);
  return sendPublicPage(request, reply, page, deps.httpCache, { stale: read.stale === true });
}
