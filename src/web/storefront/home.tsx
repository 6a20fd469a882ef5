import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CategoryNode, CategoryTree, ProductSummary } from '../../modules/catalog/index.ts';
import { Layout } from '../components/layout.tsx';
import { ProductGrid } from '../components/product-card.tsx';
import { sendPublicPage } from '../html.ts';
import type { StorefrontDeps } from './site.ts';

/** Newest products read for the home page: the first few are shown, the shops are taken from all of them. */
const RECENT = 48;
const FEATURED_PRODUCTS = 8;
const FEATURED_SHOPS = 6;

type FeaturedShop = Readonly<{ slug: string; name: string; count: number }>;

/** Shops with something new, in order of their newest product: the home page's featured shops. */
function shopsOf(products: ReadonlyArray<ProductSummary>): FeaturedShop[] {
  const shops = new Map<string, { slug: string; name: string; count: number }>();
  for (const p of products) {
    const s = shops.get(p.shopSlug);
    if (s) s.count++;
    else shops.set(p.shopSlug, { slug: p.shopSlug, name: p.shopName, count: 1 });
  }
  return [...shops.values()].slice(0, FEATURED_SHOPS);
}

function CategoryList(props: { nodes: ReadonlyArray<CategoryNode>; top?: boolean }) {
  return (
    <ul class={props.top ? 'category-tree' : undefined}>
      {props.nodes.map((c) => (
        <li key={c.id}>
          <a href={`/categories/${c.slug}`}>{c.name}</a>
          {c.children.length > 0 ? <CategoryList nodes={c.children} /> : null}
        </li>
      ))}
    </ul>
  );
}

function HomePage(props: { deps: StorefrontDeps; tree: CategoryTree; recent: ReadonlyArray<ProductSummary> }) {
  const { site } = props.deps;
  const products = props.recent.slice(0, FEATURED_PRODUCTS);
  const shops = shopsOf(props.recent);
  return (
    <Layout
      site={site}
      meta={{
        title: site.siteName,
        description: 'Handcrafted goods from independent makers: ceramics, textiles, woodwork and more.',
        path: '/',
      }}
    >
      <div class="hero">
        <h1>Made by hand, sold by the maker</h1>
        <p class="lead">Ceramics, textiles, woodwork and more from independent workshops.</p>
        <a class="button" href="/products">
          Browse everything
        </a>
      </div>

      <section class="section" aria-labelledby="new-heading">
        <div class="section-head">
          <h2 id="new-heading">New from the workshops</h2>
          <a href="/products">See all products</a>
        </div>
        {products.length > 0 ? (
          <ProductGrid products={products} eagerCount={4} label="New products" />
        ) : (
          <p class="empty-state">No products yet: the makers are still at their benches.</p>
        )}
      </section>

      {shops.length > 0 ? (
        <section class="section" aria-labelledby="shops-heading">
          <div class="section-head">
            <h2 id="shops-heading">Featured shops</h2>
          </div>
          <ul class="shop-list">
            {shops.map((s) => (
              <li key={s.slug}>
                <a class="shop-tile" href={`/shops/${s.slug}`}>
                  <strong>{s.name}</strong>
                  <span>
                    {s.count} new {s.count === 1 ? 'piece' : 'pieces'}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {props.tree.categories.length > 0 ? (
        <section class="section" aria-labelledby="categories-heading">
          <div class="section-head">
            <h2 id="categories-heading">Shop by category</h2>
          </div>
          <nav aria-labelledby="categories-heading">
            <CategoryList nodes={props.tree.categories} top />
          </nav>
        </section>
      ) : null}
    </Layout>
  );
}

/**
 * The home page: the newest products, the shops they come from, the category tree. The same for
 * everyone, so cached by a CDN like the catalog's JSON; the page key is the versions of the two
 * catalog reads it is made from, so a new product or category renders it anew.
 */
export async function homePage(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const [tree, recent] = await Promise.all([deps.catalog.reads.categories(), deps.catalog.reads.list({ sort: 'newest', limit: RECENT })]);
  const page = deps.pages.get(`home|${tree.version}|${recent.version}`, () => (
    <HomePage deps={deps} tree={tree.value} recent={recent.value.items} />
  ));
  return sendPublicPage(request, reply, page, deps.httpCache, { stale: tree.stale === true || recent.stale === true });
}
