import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CategoryNode, CategoryTree, ProductPage } from '../../modules/catalog/index.ts';
import { isDomainError } from '../../shared/errors.ts';
import { ErrorSummary, Layout, PageHeading } from '../components/layout.tsx';
import { hrefWith, Pager } from '../components/pager.tsx';
import { ProductGrid } from '../components/product-card.tsx';
import { sendPrivatePage, sendPublicPage } from '../html.ts';
import { flattenCategories, readListingInput, SORTS, type FieldError, type ListingInput } from './browse-input.ts';
import { sendNotFoundPage } from './errors.tsx';
import type { StorefrontDeps } from './site.ts';

/** Products a listing page shows at a time: six rows of four on a wide screen. */
export const LISTING_PAGE_SIZE = 24;

type Found = Readonly<{ node: CategoryNode; ancestors: ReadonlyArray<CategoryNode> }>;

type ListingView = Readonly<{
  /** `/products` or `/categories/<slug>`: where the form and the links go. */
  path: string;
  input: ListingInput;
  tree: CategoryTree;
  category: Found | null;
  /** The shop named by `?shop=` (it exists: an unknown one is a 404). */
  shopName: string | null;
  page: ProductPage | null;
  errors: ReadonlyArray<FieldError>;
  /** The platform currency: prices are filtered in it. */
  currency: string;
}>;

/** What is kept of the filters in links (the form's own values, normalised): cursor and category page aside. */
function filterParams(v: ListingView): Array<[string, string | undefined]> {
  return [
    ['category', v.path === '/products' && v.input.category ? v.input.category : undefined],
    ['shop', v.input.shop || undefined],
    ['minPrice', v.input.minPrice !== undefined ? v.input.minText : undefined],
    ['maxPrice', v.input.maxPrice !== undefined ? v.input.maxText : undefined],
    ['sort', v.input.sort !== 'newest' ? v.input.sort : undefined],
  ];
}

/**
 * The wording of how many products there are. A keyset page knows its own size and whether more
 * follow, not the total (counting every match on each request is what keyset paging avoids).
 */
function countWording(count: number, more: boolean, firstPage: boolean): string {
  const products = (n: number) => `${n} ${n === 1 ? 'product' : 'products'}`;
  if (firstPage) return more ? `Showing the first ${products(count)}; more on the next page` : `${products(count)} found`;
  const noun = count === 1 ? 'product' : 'products';
  return more ? `Showing ${count} more ${noun}; more on the next page` : `Showing the last ${products(count)}`;
}

function Filters(props: { view: ListingView; errors: ReadonlyArray<FieldError> }) {
  const { view } = props;
  const errorOf = (field: string) => props.errors.find((e) => e.field === field)?.message;
  const categories = flattenCategories(view.tree.categories);
  const fieldClass = (field: string) => (errorOf(field) ? 'field has-error' : 'field');
  const FieldMessage = (p: { field: string }) =>
    errorOf(p.field) ? (
      <p class="field-error" id={`${p.field}-error`}>
        <span class="visually-hidden">Error: </span>
        {errorOf(p.field)}
      </p>
    ) : null;
  const describedBy = (field: string) => (errorOf(field) ? `${field}-error` : undefined);
  return (
    <form class="filters" method="get" action={view.path} aria-labelledby="filters-heading">
      <h2 id="filters-heading">Filter and sort</h2>
      {view.input.shop ? <input type="hidden" name="shop" value={view.input.shop} /> : null}
      {view.path === '/products' ? (
        <div class={fieldClass('category')}>
          <label for="category">Category</label>
          <select id="category" name="category">
            <option value="">All categories</option>
            {categories.map(({ node, ancestors }) => (
              <option key={node.id} value={node.slug} selected={node.slug === view.input.category}>
                {ancestors.map(() => '— ').join('')}
                {node.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <fieldset class="price-range">
        <legend>Price ({view.currency})</legend>
        <div class={fieldClass('minPrice')}>
          <label for="minPrice">From</label>
          <input
            id="minPrice"
            name="minPrice"
            type="text"
            inputMode="decimal"
            value={view.input.minText}
            aria-describedby={describedBy('minPrice')}
            aria-invalid={errorOf('minPrice') ? true : undefined}
          />
        </div>
        <div class={fieldClass('maxPrice')}>
          <label for="maxPrice">To</label>
          <input
            id="maxPrice"
            name="maxPrice"
            type="text"
            inputMode="decimal"
            value={view.input.maxText}
            aria-describedby={describedBy('maxPrice')}
            aria-invalid={errorOf('maxPrice') ? true : undefined}
          />
        </div>
      </fieldset>
      <FieldMessage field="minPrice" />
      <FieldMessage field="maxPrice" />
      <div class={fieldClass('sort')}>
        <label for="sort">Sort by</label>
        <select id="sort" name="sort" aria-describedby={describedBy('sort')}>
          {SORTS.map(([value, label]) => (
            <option key={value} value={value} selected={value === view.input.sort}>
              {label}
            </option>
          ))}
        </select>
        <FieldMessage field="sort" />
      </div>
      <div class="filter-actions">
        <button type="submit">Show products</button>
        <a href={view.path}>Clear filters</a>
      </div>
    </form>
  );
}

function ListingPage(props: { deps: StorefrontDeps; view: ListingView }) {
  const { deps, view } = props;
  const { site } = deps;
  const category = view.category?.node;
  const title = category ? category.name : view.shopName ? `Products from ${view.shopName}` : 'All products';
  const firstPage = view.input.cursor === '';
  const page = view.page;
  const params = filterParams(view);
  const nextHref = page?.nextCursor ? hrefWith(view.path, [...params, ['cursor', page.nextCursor]]) : null;
  // Canonical: the collection itself. Sort, price filters and the cursor are views of it (a keyset
  // cursor is opaque and moves as products are added); every product is in sitemap.xml anyway.
  const canonical = category
    ? `/categories/${category.slug}`
    : view.input.shop
      ? hrefWith('/products', [['shop', view.input.shop]])
      : '/products';
  const description = category
    ? `${category.name}, handmade by independent makers on ${site.siteName}.`
    : `Handmade goods from independent makers on ${site.siteName}: ceramics, textiles, woodwork and more.`;
  return (
    <Layout site={site} meta={{ title, description, path: canonical }}>
      {view.category ? (
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
          <ol>
            <li>
              <a href="/">Home</a>
            </li>
            <li>
              <a href="/products">All products</a>
            </li>
            {view.category.ancestors.map((a) => (
              <li key={a.id}>
                <a href={`/categories/${a.slug}`}>{a.name}</a>
              </li>
            ))}
            <li>
              <a href={`/categories/${view.category.node.slug}`} aria-current="page">
                {view.category.node.name}
              </a>
            </li>
          </ol>
        </nav>
      ) : null}
      <PageHeading title={title} lead={firstPage ? undefined : 'A later page of this list.'} />
      {category && category.children.length > 0 ? (
        <ul class="subcategories" aria-label={`Kinds of ${category.name}`}>
          {category.children.map((c) => (
            <li key={c.id}>
              <a href={`/categories/${c.slug}`}>{c.name}</a>
            </li>
          ))}
        </ul>
      ) : null}
      <div class="listing">
        <Filters view={view} errors={view.errors} />
        <section id="results" aria-labelledby="results-heading" tabIndex={-1}>
          <h2 id="results-heading" class="visually-hidden">
            Products
          </h2>
          <ErrorSummary errors={view.errors} />
          {page ? (
            page.items.length > 0 ? (
              <>
                <p class="result-count" role="status">
                  {countWording(page.items.length, page.nextCursor !== null, firstPage)}
                </p>
                <ProductGrid products={page.items} eagerCount={firstPage ? 4 : 0} label={title} />
              </>
            ) : (
              <div class="empty-state">
                <h3>No products match</h3>
                <p>
                  {firstPage ? 'Nothing here matches these filters yet. ' : 'This page is past the last product. '}
                  <a href={view.path}>Clear the filters</a> or <a href="/products">browse everything</a>.
                </p>
              </div>
            )
          ) : null}
          <Pager firstHref={hrefWith(view.path, params)} nextHref={nextHref} onFirstPage={firstPage} label="Pages of products" />
        </section>
      </div>
    </Layout>
  );
}

function findCategory(tree: CategoryTree, slug: string): Found | null {
  return flattenCategories(tree.categories).find((c) => c.node.slug === slug) ?? null;
}

/**
 * `/products` and `/categories/:slug`: published products, filtered (category, shop, price), sorted,
 * a keyset page at a time. Cached for everyone under a key holding the versions of the category
 * tree and of the page of products, and the normalised filters the form shows back. A bad filter
 * is a 400 page with the form and an error summary (not cached: it echoes what was typed).
 */
export async function listingPage(
  deps: StorefrontDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  categorySlug?: string,
): Promise<FastifyReply> {
  const path = categorySlug !== undefined ? `/categories/${categorySlug}` : '/products';
  const input = readListingInput(request, deps.currency, categorySlug);
  const tree = await deps.catalog.reads.categories();
  const category = input.category ? findCategory(tree.value, input.category) : null;
  if (categorySlug !== undefined && !category) return sendNotFoundPage(deps.site, request, reply);
  // A shop that does not exist is a 404, not an indexable "Products from <whatever was typed>" page.
  const shop = input.shop ? await deps.catalog.reads.shop(input.shop) : null;
  if (shop && shop.value === null) return sendNotFoundPage(deps.site, request, reply);
  const shopName = shop?.value?.shop.name ?? null;
  const errors = [...input.errors];
  if (input.category && !category) errors.push({ field: 'category', message: 'Choose a category from the list' });

  const refuse = (all: FieldError[]) =>
    sendPrivatePage(
      request,
      reply,
      <ListingPage
        deps={deps}
        view={{ path, input, tree: tree.value, category, shopName, page: null, errors: all, currency: deps.currency }}
      />,
      400,
    );
  if (errors.length > 0) return refuse(errors);

  let list;
  try {
    list = await deps.catalog.reads.list({
      category: category?.node.slug,
      shop: input.shop || undefined,
      minPrice: input.minPrice,
      maxPrice: input.maxPrice,
      sort: input.sort,
      limit: LISTING_PAGE_SIZE,
      cursor: input.cursor || undefined,
    });
  } catch (err) {
    if (!isDomainError(err) || err.kind !== 'invalid') throw err;
    const message =
      err.code === 'CATALOG_INVALID_CURSOR' ? 'That page link is broken or out of date. Start again from the first page.' : err.message;
    return refuse([{ field: err.code === 'CATALOG_INVALID_CURSOR' ? 'results' : 'minPrice', message }]);
  }
  const view: ListingView = { path, input, tree: tree.value, category, shopName, page: list.value, errors: [], currency: deps.currency };
  const key = [
    'listing',
    tree.version,
    list.version,
    path,
    category?.node.slug ?? '',
    input.shop,
    shop?.version ?? '',
    input.minPrice ?? '',
    input.maxPrice ?? '',
    input.sort,
    input.cursor,
  ].join('|');
  const rendered = deps.pages.get(key, () => <ListingPage deps={deps} view={view} />);
  return sendPublicPage(request, reply, rendered, deps.httpCache, { stale: tree.stale === true || list.stale === true });
}
