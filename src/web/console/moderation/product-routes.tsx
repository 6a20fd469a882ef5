import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSession } from '../../../modules/identity/index.ts';
import type { Page, Product } from '../../../modules/catalog/index.ts';
import { isId } from '../../../shared/ids.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { officePage, pageActor } from '../../back-office/guard.tsx';
import { hrefWith } from '../../components/pager.tsx';
import { formField, queryField, type FieldError } from '../../forms.ts';
import { seeOther } from '../../html.ts';
import {
  filterParams,
  PRODUCT_STATUSES,
  ProductsPage,
  reasonId,
  type ProductAnswer,
  type ProductFilters,
  type ProductStatusFilter,
} from './product-pages.tsx';
import { conflictOf, frameOf, PAGE_SIZE, reasonRefused, sendConsolePage } from './shared.tsx';

type ById = { Params: { id: string } };
type Found = Readonly<{ products: ReadonlyArray<Product> | null; nextCursor: string | null; errors: FieldError[] }>;

const DONE: Readonly<Record<string, string>> = {
  unpublished: 'Unpublished: the product has left the storefront and search, and its seller sees your reason in the studio.',
  released: 'Released: the hold is lifted. The product stays a draft until its seller publishes it again.',
};

/** The look-up's filters, from the query string (a page) or from a form's `back-` fields (after a move). */
function productFilters(read: (name: string) => string): ProductFilters {
  const status = read('status');
  return {
    q: read('q').trim().slice(0, 200),
    shop: read('shop').trim().toLowerCase().slice(0, 100),
    status: (PRODUCT_STATUSES as readonly string[]).includes(status) ? (status as ProductStatusFilter) : '',
    product: read('product').trim().slice(0, 36),
  };
}

/** A shop's products (drafts and held ones too) through the seller's own list, by its web address. */
async function byShop(deps: BackOfficeDeps, f: ProductFilters, cursor: string): Promise<Found> {
  const shop = await deps.catalog.service.getShopBySlug(f.shop);
  if (!shop) return { products: [], nextCursor: null, errors: [{ field: 'shop', message: 'No shop has that web address' }] };
  const query = { ...(f.q ? { q: f.q } : {}), ...(f.status ? { status: f.status } : {}) };
  const page: Page<Product> = await deps.catalog.sellerProducts(shop.ownerId, cursor || undefined, PAGE_SIZE, query);
  return { products: page.items, nextCursor: page.nextCursor, errors: [] };
}

/** Published products by the words of the title (the storefront's search), read in full for their state. */
async function byTitle(deps: BackOfficeDeps, q: string, cursor: string): Promise<Found> {
  if (isId(q)) return byId(deps, q);
  const found = (await deps.search.reads.searchPage(q, PAGE_SIZE, cursor || undefined)).value;
  const full = new Map((await deps.catalog.service.getProducts(found.items.map((i) => i.id))).map((p) => [p.id, p]));
  const products = found.items.map((i) => full.get(i.id)).filter((p): p is Product => p !== undefined);
  return { products, nextCursor: found.nextCursor, errors: [] };
}

/** One product by its id: where a move on a product found by title brings the operator (held, search no longer finds it). */
async function byId(deps: BackOfficeDeps, id: string): Promise<Found> {
  const product = isId(id) ? await deps.catalog.service.getProduct(id) : null;
  return { products: product ? [product] : [], nextCursor: null, errors: [] };
}

function lookUp(deps: BackOfficeDeps, f: ProductFilters, cursor: string): Promise<Found> {
  if (f.product) return byId(deps, f.product);
  if (f.shop) return byShop(deps, f, cursor);
  if (f.q) return byTitle(deps, f.q, cursor);
  return Promise.resolve({ products: null, nextCursor: null, errors: [] });
}

async function sendProducts(
  deps: BackOfficeDeps,
  session: LiveSession,
  request: FastifyRequest,
  reply: FastifyReply,
  look: Readonly<{ filters: ProductFilters; cursor: string; answer: Omit<ProductAnswer, 'errors'> & { errors?: FieldError[] } }>,
  status = 200,
): Promise<FastifyReply> {
  const found = await lookUp(deps, look.filters, look.cursor);
  const answer = { ...look.answer, errors: [...(look.answer.errors ?? []), ...found.errors] };
  const frame = { ...frameOf(deps, session, request), path: '/console/products' };
  const page = (
    <ProductsPage
      frame={frame}
      filters={look.filters}
      products={found.products}
      nextCursor={found.nextCursor}
      first={!look.cursor}
      answer={answer}
    />
  );
  return sendConsolePage(request, reply, page, status === 200 && found.errors.length > 0 ? 400 : status);
}

/** Unpublishes (with the reason) or releases a product, then shows the same look-up again. */
async function holdOrRelease(
  deps: BackOfficeDeps,
  session: LiveSession,
  request: FastifyRequest<ById>,
  reply: FastifyReply,
  move: 'unpublish' | 'release',
) {
  const filters = productFilters((name) => formField(request, `back-${name}`));
  const { moderation } = deps.catalog;
  const actor = pageActor(session, request);
  const reason = formField(request, 'reason');
  try {
    if (move === 'unpublish') await moderation.unpublishProduct(actor, request.params.id, reason);
    else await moderation.releaseProduct(actor, request.params.id);
  } catch (err) {
    if (reasonRefused(err)) {
      const errors = [{ field: reasonId(request.params.id), message: 'Enter the reason: the seller reads it in the studio' }];
      return sendProducts(deps, session, request, reply, { filters, cursor: '', answer: { errors, reason } }, 400);
    }
    const conflict = conflictOf(err);
    if (conflict) return sendProducts(deps, session, request, reply, { filters, cursor: '', answer: { conflict } }, 409);
    throw err;
  }
  const done = move === 'unpublish' ? 'unpublished' : 'released';
  // A shop's list still holds the product whatever its state; search does not hold a held one.
  const back = filters.shop ? filterParams(filters) : ([['product', request.params.id]] as const);
  return seeOther(reply, hrefWith('/console/products', [...back, ['done', done]]));
}

/** `/console/products`: look-ups, unpublish with a reason, release. */
export function productRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/console/products',
      { schema: { hide: true } },
      officePage(deps, 'console', (session, request, reply) => {
        const filters = productFilters((name) => queryField(request, name));
        const notice = DONE[queryField(request, 'done')];
        return sendProducts(deps, session, request, reply, {
          filters,
          cursor: queryField(request, 'cursor'),
          answer: notice ? { notice } : {},
        });
      }),
    );
    for (const move of ['unpublish', 'release'] as const) {
      app.post<ById>(
        `/console/products/:id/${move}`,
        { schema: { hide: true } },
        officePage<ById>(deps, 'console', (session, request, reply) => holdOrRelease(deps, session, request, reply, move)),
      );
    }
  };
}
