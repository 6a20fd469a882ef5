import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import { prepare, PREPARED_FORMAT, type Prepared } from '../../platform/cache/prepared.ts';
import type { ReplicaSet } from '../../platform/postgres/replicas.ts';
import { DomainError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import type { CatalogService, Product, ProductImage } from '../catalog/index.ts';
import { searchErrors } from './search.errors.ts';
import { toTsQueryText } from './search.query.ts';
import * as repo from './search.repository.ts';

/** Search pages are cached briefly: results may lag an edit by this much on other nodes. */
const RESULT_TTL_MS = 30_000;
/** Ranked candidates per kind of match (title / anywhere): bounds the cost of a very common word. */
const CANDIDATES = 300;
/** Title matches the simpler fallback query looks at (search.repository.ts `titleMatches`). */
const FALLBACK_CANDIDATES = 100;
/** A degraded page is cached only this long: the full query gets another chance soon. */
const DEGRADED_TTL_MS = 5000;
const INDEX_BATCH = 500;

export type SearchResultItem = Readonly<{
  id: string;
  title: string;
  shopSlug: string;
  shopName: string;
  priceMin: { amount: number; currency: string };
  /** The product's first image as indexed (toDocument), or null. */
  image: ProductImage | null;
}>;

/** A page of results (GET /search). `degraded`: answered by the simpler title-only query, with no later pages. */
export type SearchPage = Readonly<{ items: SearchResultItem[]; nextCursor: string | null; degraded?: true }>;

/** No words to search for: no results, and nothing to cache. */
const EMPTY_PAGE = prepare<SearchPage>({ items: [], nextCursor: null });

export type SearchUseCases = Readonly<{
  indexProducts(productIds: readonly string[]): Promise<void>;
  /** Re-indexes every product of a shop (its name is part of each document). */
  indexShop(shopId: string): Promise<void>;
  /**
   * A cached, prepared page of results for the words of `q`. `limit` is the caller's to bound (the
   * route allows 1..50); a cursor from another query or an altered one throws SEARCH_INVALID_CURSOR
   * ('invalid'); a later page while the full query is over its budget throws SEARCH_BUSY ('unavailable').
   */
  searchPage(q: string, limit: number, cursor: string | undefined): Promise<Prepared<SearchPage>>;
}>;

type Cursor = { h: string; t: boolean; r: number; id: string };

const digest = (text: string, n: number) => createHash('sha256').update(text).digest('base64url').slice(0, n);

/** Cursors are sealed and bound to their query, so one made for "mug" cannot page through "vase". */
function sealCursor(c: Cursor): string {
  const body = Buffer.from(JSON.stringify(c)).toString('base64url');
  return `${body}.${digest(`atelier-search:${body}`, 12)}`;
}

function openCursor(cursor: string, queryHash: string): Cursor {
  const dot = cursor.indexOf('.');
  const body = dot > 0 ? cursor.slice(0, dot) : '';
  if (!body || !/^[A-Za-z0-9_-]+$/.test(body) || digest(`atelier-search:${body}`, 12) !== cursor.slice(dot + 1)) {
    throw searchErrors.invalidCursor();
  }
  let c: Partial<Cursor>;
  try {
    c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw searchErrors.invalidCursor();
  }
  if (
    c?.h !== queryHash ||
    typeof c.t !== 'boolean' ||
    typeof c.r !== 'number' ||
    !Number.isFinite(c.r) ||
    typeof c.id !== 'string' ||
    !isId(c.id)
  ) {
    throw searchErrors.invalidCursor();
  }
  return { h: c.h, t: c.t, r: c.r, id: c.id };
}

const toItem = (r: repo.SearchRow): SearchResultItem => ({
  id: r.product_id,
  title: r.title,
  shopSlug: r.shop_slug,
  shopName: r.shop_name,
  priceMin: { amount: r.price_min, currency: r.currency },
  // Written by toDocument below from the catalog's own ProductImage.
  image: r.image as ProductImage | null,
});

function toDocument(p: Product): repo.DocumentInput {
  return {
    product_id: p.id,
    shop_id: p.shopId,
    category_id: p.categoryId,
    // Only 'published' documents are searched: a product of a shop that is not active (pending
    // approval, suspended) is kept under its shop's status, out of the results until it is active.
    status: p.shopStatus === 'active' ? p.status : `shop_${p.shopStatus}`,
    title: p.title,
    description: p.description,
    shop_slug: p.shopSlug,
    shop_name: p.shopName,
    category_name: p.categoryName,
    price_min: p.priceMin.amount,
    currency: p.priceMin.currency,
    image: p.images[0] ?? null,
    created_at: p.createdAt,
    source_updated_at: p.updatedAt,
  };
}

export function createSearchService(deps: {
  db: Kysely<unknown>;
  /** Result pages are read on a catalog replica when there are any: search already trails the catalog by its index job. */
  replicas: Pick<ReplicaSet, 'read'>;
  cache: Cache;
  catalog: CatalogService;
  /**
   * The ranked query's time budget. Past it PostgreSQL cancels the query and a simpler title-only
   * match answers, marked `degraded` (graceful degradation, docs/resiliency.md): a word so common, or a
   * database so busy, that ranking takes too long still gets an answer instead of a timeout.
   */
  fullTextTimeoutMs: number;
  log: Logger;
}): SearchUseCases {
  const { db, cache, catalog, replicas, fullTextTimeoutMs, log } = deps;
  // Result pages are keyed by a generation that every index change replaces (deleting one key
  // retires every cached page; see the catalog's cache keys for why not tags).
  const GENERATION_KEY = 'search:generation';
  const generation = () =>
    cache.getOrLoad(GENERATION_KEY, [], async () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);

  async function indexProducts(productIds: readonly string[]): Promise<void> {
    const unique = [...new Set(productIds)];
    for (let i = 0; i < unique.length; i += INDEX_BATCH) {
      const batch = unique.slice(i, i + INDEX_BATCH);
      const products = await catalog.getProducts(batch);
      const found = new Set(products.map((p) => p.id));
      const gone = batch.filter((id) => !found.has(id));
      if (products.length > 0) await repo.upsertDocuments(db, products.map(toDocument));
      if (gone.length > 0) await repo.deleteDocuments(db, gone);
    }
    if (unique.length > 0) await cache.invalidate({ keys: [GENERATION_KEY] });
  }

  return {
    indexProducts,

    async indexShop(shopId) {
      await indexProducts(await repo.productIdsOfShop(db, shopId));
    },

    async searchPage(q, limit, cursor) {
      const tsquery = toTsQueryText(q);
      const queryHash = digest(tsquery ?? '', 10);
      const after = cursor ? openCursor(cursor, queryHash) : null;
      if (!tsquery) return EMPTY_PAGE;
      const key = `search:${PREPARED_FORMAT}:${await generation()}:${limit}:${cursor ?? ''}:${tsquery}`;
      type Cached = Prepared<SearchPage> & { expiresAt: number };
      const load = async (): Promise<Cached> => {
        const rows = await replicas.read((t) =>
          repo.searchWithin(
            t.db,
            {
              tsquery,
              after: after ? { titleHit: after.t, rank: after.r, id: after.id } : null,
              limit: limit + 1,
              candidates: CANDIDATES,
            },
            fullTextTimeoutMs,
          ),
        );
        if (rows === null) {
          log.warn({ timeoutMs: fullTextTimeoutMs }, 'full-text search over its time budget; answered by the title-only query');
          // The simpler query has no later pages to continue.
          if (after) throw searchErrors.busy();
          const matches = await replicas.read((t) => repo.titleMatches(t.db, { tsquery, limit, candidates: FALLBACK_CANDIDATES }));
          const items = matches.map(toItem);
          return {
            ...prepare<SearchPage>({ items, nextCursor: null, degraded: true }),
            degraded: true,
            expiresAt: Date.now() + DEGRADED_TTL_MS,
          };
        }
        const more = rows.length > limit;
        const page = more ? rows.slice(0, limit) : rows;
        const last = page[page.length - 1];
        const items = page.map(toItem);
        const nextCursor = more && last ? sealCursor({ h: queryHash, t: last.title_hit, r: last.rank, id: last.product_id }) : null;
        return { ...prepare<SearchPage>({ items, nextCursor }), expiresAt: Date.now() + RESULT_TTL_MS };
      };
      try {
        const hit = await cache.getOrLoad<Cached>(key, [], load);
        if (hit.expiresAt > Date.now()) return hit;
        await cache.invalidate({ keys: [key] });
        return await cache.getOrLoad<Cached>(key, [], load);
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause;
        throw cause instanceof DomainError ? cause : err;
      }
    },
  };
}
