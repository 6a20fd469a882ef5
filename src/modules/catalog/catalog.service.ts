import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { EventBus } from '../../platform/events.ts';
import { prepare, PREPARED_FORMAT, type Prepared } from '../../platform/cache/prepared.ts';
import type { ReadTarget, ReplicaSet } from '../../platform/postgres/replicas.ts';
import { DomainError } from '../../shared/errors.ts';
// Ids from callers are checked before they reach a uuid column (a malformed one would be a 500).
import { isId, newId } from '../../shared/ids.ts';
import { MAX_AMOUNT } from '../../shared/money.ts';
import { decodeProductCursor, encodeProductCursor, type ProductSort } from './catalog.cursor.ts';
import { catalogErrors } from './catalog.errors.ts';
import { CATALOG_EVENTS } from './catalog.events.ts';
import * as repo from './catalog.repository.ts';
import { createHotCache } from '../../platform/cache/hot-cache.ts';
import {
  toProduct,
  toPublicProduct,
  toSummary,
  type CategoryNode,
  type CategoryTree,
  type Page,
  toPublicShop,
  toShop,
  type ProductPage,
  type PublicProduct,
  type ShopPage,
} from './catalog.views.ts';
import type {
  Category,
  CatalogService,
  NewVariant,
  Product,
  ProductCounts,
  ProductStatus,
  Shop,
  VariantForSale,
  VisibilityChange,
} from './index.ts';
import type { AuditActor, AuditRecorder } from '../audit/index.ts';
import { createModeration, type Moderation } from './catalog.moderation.ts';

export const MAX_VARIANTS = 50;
/** A not-found answer is cached briefly: long enough to absorb a burst, short enough to forget. */
const NOT_FOUND_TTL_MS = 10_000;
/** How long this process serves a page from its own memory before asking the shared cache again. */
export const HOT_TTL_MS = 1000;
/**
 * After commit, invalidate again a moment later: a read that loaded the old row just before the
 * commit may have re-filled the cache. With replicas that moment is the longest a replica in
 * rotation can be behind, since a page loaded from one until then may predate the write.
 */
const SECOND_INVALIDATION_MS = 1000;

/**
 * Cache keys. Every write invalidates by deleting keys, never by tag: the cache serves a
 * tag-invalidated entry once more while it refreshes (stale-while-revalidate), and the next read
 * after an edit must show the edit. Lists (product lists and shop pages) cannot be enumerated, so
 * their keys carry a generation that any product or shop write replaces: deleting the one
 * generation key retires every list page at once, and the old entries age out.
 *
 * Keys of prepared reads carry PREPARED_FORMAT (the shape of the entry), so that during a rolling
 * deploy two releases sharing Redis never read each other's entries.
 */
export const cacheKeys = {
  product: (id: string) => `catalog:product:${PREPARED_FORMAT}:${id}`,
  categories: `catalog:categories:${PREPARED_FORMAT}`,
  categoryRows: 'catalog:category-rows',
  listsGeneration: 'catalog:lists-generation',
  shop: (generation: string, slug: string) => `catalog:shop:${PREPARED_FORMAT}:${generation}:${slug}`,
  list: (generation: string, parts: string) => `catalog:list:${PREPARED_FORMAT}:${generation}:${parts}`,
};

/**
 * How long a lists generation lives. Not the cache TTL: a generation that expired would be replaced
 * by a new one, and every list and shop page cached under the old one would be lost, so a database
 * outage longer than the TTL would turn every cached list into a 503 instead of a stale page. Writes
 * still replace it at once; a page under it still refreshes after its own TTL.
 */
const LISTS_GENERATION_TTL_SECONDS = 7 * 24 * 3600;

/** A prepared public read, possibly with its own (shorter) expiry. */
type LoadedPage<T> = Prepared<T> & { expiresAt?: number };
/** As cached: when it was loaded, to tell a page served past its TTL (from the grace period). */
type CachedPage<T> = LoadedPage<T> & { loadedAt: number };

export type ListQuery = Readonly<{
  category?: string;
  shop?: string;
  minPrice?: number;
  maxPrice?: number;
  sort: ProductSort;
  limit: number;
  cursor?: string;
}>;

/**
 * How a public page may be read. `minLsn`: the client wrote at this WAL position a moment ago
 * (platform/http/read-your-writes.ts), so the page skips the caches (one may hold a page from
 * before the write) and is read from a replica that has replayed the position, or the primary.
 */
export type PageRead = Readonly<{ minLsn?: string | null }>;

export type ProductPatch = Readonly<{ title?: string; description?: string; categoryId?: string | null; status?: ProductStatus }>;
export type ShopPatch = Readonly<{ name?: string; description?: string; story?: string; shippingPolicy?: string; returnsPolicy?: string }>;
/** The seller's product list: a title search and a status (`unpublished`: held by the operator). */
export type SellerProductQuery = Readonly<{ q?: string; status?: 'draft' | 'published' | 'unpublished' }>;
export type VariantPatch = Readonly<{ sku?: string; options?: Record<string, string>; price?: number; position?: number }>;

/** Everything the routes need: the public contract plus seller use cases and cached public pages. */
export type CatalogUseCases = CatalogService &
  Readonly<{
    /** Another seller's shop is not found (404), as another seller's product is. Audited. */
    updateShop(actor: AuditActor, slug: string, patch: ShopPatch): Promise<Shop>;
    /** The seller's own shop, with where it stands (status and the operator's reason); null before one is opened. */
    ownShop(accountId: string): Promise<Shop | null>;
    /** How many products a shop has by status, however many (counted, not listed): for a shop the caller already holds. */
    productCounts(shopId: string): Promise<ProductCounts>;
    updateProduct(accountId: string, productId: string, patch: ProductPatch): Promise<Product>;
    addVariant(accountId: string, productId: string, input: NewVariant): Promise<Product>;
    updateVariant(accountId: string, productId: string, variantId: string, patch: VariantPatch): Promise<Product>;
    sellerProducts(accountId: string, cursor: string | undefined, limit: number, query?: SellerProductQuery): Promise<Page<Product>>;
    pages: CatalogReads;
    /** The operator's decisions and look-ups (catalog.moderation.ts). */
    moderation: Moderation;
  }>;

/**
 * Cached public reads, each a value with its JSON text and version prepared once: a warm read
 * neither queries nor serialises. A cold one is read from a catalog replica when there are any
 * (stale by at most the replica lag threshold); `stale` marks one served past the cache TTL. What
 * anonymous readers may not see (a draft, an unknown id or slug) is `value: null`, cached briefly.
 * Bad input a schema cannot catch (a cursor, minPrice > maxPrice) throws a DomainError ('invalid').
 */
export type CatalogReads = Readonly<{
  /** A published product; null for a draft, an unknown or a malformed id. */
  product(id: string, read?: PageRead): Promise<Prepared<PublicProduct | null>>;
  /** Published products, filtered and sorted, a keyset page at a time (`limit` is the caller's to bound). */
  list(query: ListQuery, read?: PageRead): Promise<Prepared<ProductPage>>;
  /** A shop and its 24 newest published products; null for an unknown slug. */
  shop(slug: string, read?: PageRead): Promise<Prepared<ShopPage | null>>;
  categories(read?: PageRead): Promise<Prepared<CategoryTree>>;
}>;

export type CatalogServiceDeps = Readonly<{
  db: Kysely<unknown>;
  pool: repo.Queryable;
  /** Where public pages are read; without replicas every read runs on the primary. */
  replicas: Pick<ReplicaSet, 'enabled' | 'read' | 'maxStalenessMs'>;
  cache: Cache;
  events: EventBus;
  currency: string;
  audit: AuditRecorder;
  shopApproval: 'required' | 'none';
  log: Logger;
}>;

type Invalidation = { keys: string[] };

/** The shop fields a seller writes, as the audit trail and the table name them. */
const shopText = (p: ShopPatch): repo.ShopText => ({
  ...(p.name !== undefined ? { name: p.name } : {}),
  ...(p.description !== undefined ? { description: p.description } : {}),
  ...(p.story !== undefined ? { story: p.story } : {}),
  ...(p.shippingPolicy !== undefined ? { shipping_policy: p.shippingPolicy } : {}),
  ...(p.returnsPolicy !== undefined ? { returns_policy: p.returnsPolicy } : {}),
});

/** The fields of `shop` that `patch` names, before or after: an audit entry's before/after. */
function pick(shop: Shop, patch: ShopPatch): Record<string, unknown> {
  return Object.fromEntries(Object.keys(patch).map((k) => [k, shop[k as keyof Shop]]));
}

const toCategory = (r: repo.CategoryRow): Category => ({ id: r.id, slug: r.slug, name: r.name, parentId: r.parent_id });

function buildTree(rows: readonly repo.CategoryRow[]): CategoryNode[] {
  const nodes = new Map(rows.map((r) => [r.id, { ...toCategory(r), children: [] as CategoryNode[] }]));
  const roots: CategoryNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId ? nodes.get(n.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}

/** The category and every category below it (ids), or [] when the slug/id names none. */
function withDescendants(rows: readonly repo.CategoryRow[], slugOrId: string): string[] {
  const start = rows.find((r) => r.slug === slugOrId || r.id === slugOrId);
  if (!start) return [];
  const children = new Map<string, string[]>();
  for (const r of rows) if (r.parent_id) children.set(r.parent_id, [...(children.get(r.parent_id) ?? []), r.id]);
  const out: string[] = [];
  const stack = [start.id];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.includes(id)) continue; // a cycle cannot be made through the API, but never loop on one
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

const NONE = prepare(null);
const notFound = (): LoadedPage<null> => ({ ...NONE, expiresAt: Date.now() + NOT_FOUND_TTL_MS });

/** A cursor's timestamp that PostgreSQL cannot read (say, 30 February) is a bad cursor, not a 500. */
function refuseBadTimestamp(err: unknown): never {
  const code = (err as { code?: string }).code;
  if (code === '22007' || code === '22008') throw catalogErrors.invalidCursor();
  throw err;
}

/** Checks what a schema cannot (the seeder calls without one) and fills in default SKUs. */
function prepareVariants(productId: string, variants: ReadonlyArray<NewVariant>, field: string): repo.NewVariantRow[] {
  if (variants.length < 1 || variants.length > MAX_VARIANTS) {
    throw new DomainError('invalid', 'CATALOG_INVALID_VARIANTS', `A product has 1 to ${MAX_VARIANTS} variants`, field);
  }
  const seen = new Set<string>();
  return variants.map((v, i) => {
    if (!Number.isSafeInteger(v.price) || v.price <= 0 || v.price > MAX_AMOUNT) {
      throw new DomainError('invalid', 'CATALOG_INVALID_PRICE', `Prices are whole minor units in 1..${MAX_AMOUNT}`, `${field}[${i}].price`);
    }
    const sku = v.sku ?? `SKU-${i + 1}`;
    if (seen.has(sku)) throw catalogErrors.duplicateSku(`${field}[${i}].sku`);
    seen.add(sku);
    return { id: newId(), product_id: productId, sku, options: v.options, price: v.price, position: i };
  });
}

/**
 * Variants as checkout and the cart read them (price, status, shop) are kept in this process for
 * at most HOT_TTL_MS (`variants` below). Every add-to-cart and every checkout asks for them, and in
 * a flash sale all ask for the same one: `BENCH_COST_DETAIL=true npm run bench -- --only checkout`
 * counted 2.1 reads of catalog_variants per order without this.
 *
 * How stale a price or status can be when checkout prices an order: not at all after a change
 * made by this process (every catalog write clears them after it commits, and a read in flight
 * then is not kept: HotCache.getMany); after a change made by another node, until the shared
 * cache's change notice arrives (Redis, milliseconds), and at most HOT_TTL_MS when there is none.
 * A seller's price change taking effect a second later is what a seller sees on the product page
 * too; stock is never read from here (inventory's row decides every sale). Clearing everything on
 * every write is coarse, but catalog writes are rare next to reads.
 */
const VARIANTS_KEPT = 50_000;

export function createCatalogService(deps: CatalogServiceDeps): CatalogUseCases {
  const { db, cache, events, log, replicas } = deps;
  const secondInvalidationMs = Math.max(SECOND_INVALIDATION_MS, replicas.enabled ? replicas.maxStalenessMs : 0);

  // Off when the shared cache is off, so "cache off" really measures and serves the database.
  const hot = cache.enabled ? createHotCache({ ttlMs: HOT_TTL_MS, maxEntries: 20_000 }) : null;
  const variants = cache.enabled ? createHotCache({ ttlMs: HOT_TTL_MS, maxEntries: VARIANTS_KEPT }) : null;
  // A page another node changed leaves this node's hot layer too, not only its shared-cache tiers.
  cache.onRemoteChange((keys) => {
    if (keys) hot?.delete(keys);
    else hot?.clear();
    // Every catalog write invalidates catalog keys (the lists generation at least); other modules'
    // notices (sessions, stock pages, search) say nothing about variants and leave them.
    if (!keys || keys.some((k) => k.startsWith('catalog:'))) variants?.clear();
  });

  // The shared cache first, then this process's layer: the other order would let a read in
  // between copy the old page from the shared cache back into the hot layer.
  async function afterCommit(what: Invalidation): Promise<void> {
    await cache.invalidate(what);
    hot?.delete(what.keys);
    variants?.clear();
    setTimeout(() => {
      cache
        .invalidate(what)
        .then(() => hot?.delete(what.keys))
        .catch((err: unknown) => log.debug({ err }, 'second cache invalidation failed'));
    }, secondInvalidationMs).unref();
  }

  async function readVariants(ids: readonly string[]): Promise<VariantForSale[]> {
    const found = await repo.variantsForSale(db, ids);
    return found.map((r) => ({
      variantId: r.variant_id,
      productId: r.product_id,
      productTitle: r.product_title,
      sku: r.sku,
      options: r.options,
      // bigint arrives as a string from pg; amounts are bounded by MAX_AMOUNT, so a number is exact.
      price: { amount: Number(r.price), currency: r.currency.trim() },
      shopId: r.shop_id,
      shopName: r.shop_name,
      sellerId: r.owner_id,
      // A suspended or pending shop sells nothing: its lines are refused as a draft's are.
      published: r.status === 'published' && r.shop_status === 'active',
    }));
  }

  const publishProduct = (trx: Kysely<unknown>, productId: string, shopId: string) =>
    events.publish(trx, CATALOG_EVENTS.productChanged, { productId, shopId }, { jobKeySuffix: productId });

  const productInvalidation = (id: string): Invalidation => ({ keys: [cacheKeys.product(id), cacheKeys.listsGeneration] });

  /** Every list page, and the page of every product of the shop: what a change to the shop makes stale. */
  async function shopInvalidation(trx: Kysely<unknown>, shopId: string): Promise<Invalidation> {
    const ids: string[] = [];
    for (let after: string | null = null; ;) {
      const batch = await repo.productIdsOfShop(trx, shopId, after, 5000);
      ids.push(...batch);
      if (batch.length < 5000) break;
      after = batch[batch.length - 1]!;
    }
    return { keys: [cacheKeys.listsGeneration, ...ids.map(cacheKeys.product)] };
  }

  const visibilityListeners: Array<(change: VisibilityChange) => Promise<void>> = [];
  async function visibilityChanged(change: VisibilityChange): Promise<void> {
    for (const listener of visibilityListeners) {
      await listener(change).catch((err: unknown) =>
        log.warn({ err, change }, 'a visibility listener failed; its event job will catch up'),
      );
    }
  }

  /** The current generation of list pages (see cacheKeys). */
  async function listsGeneration(): Promise<string> {
    const known = hot?.get<string>(cacheKeys.listsGeneration);
    if (known !== undefined) return known;
    const generation = await cache.getOrLoad(
      cacheKeys.listsGeneration,
      [],
      async () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      { ttlSeconds: LISTS_GENERATION_TTL_SECONDS },
    );
    hot?.set(cacheKeys.listsGeneration, generation);
    return generation;
  }

  const freshMs = cache.ttlSeconds * 1000;
  /**
   * A page loaded longer ago than the cache TTL is being served from the grace period: the one read
   * that starts its refresh, or every read while the catalog database cannot refresh it. It is
   * marked so (the route says so in a header and keeps CDNs from holding it).
   */
  const served = <T>(page: CachedPage<T>): Prepared<T> => (Date.now() - page.loadedAt > freshMs ? { ...page, stale: true } : page);

  /**
   * Reads a cached page; an entry past its own expiry is dropped and loaded again. Loads run on a
   * replica; a client that has just written (`read.minLsn`) bypasses both cache layers and neither
   * reads nor fills them.
   */
  async function cachedPage<T>(
    key: string,
    read: PageRead | undefined,
    loadFrom: (t: ReadTarget) => Promise<LoadedPage<T>>,
  ): Promise<Prepared<T>> {
    if (read?.minLsn) return replicas.read(loadFrom, { minLsn: read.minLsn });
    const load = async (): Promise<CachedPage<T>> => ({ ...(await replicas.read(loadFrom)), loadedAt: Date.now() });
    // The hot layer holds only fresh pages, and never past their freshness (below).
    const known = hot?.get<CachedPage<T>>(key);
    if (known) return known;
    try {
      let page = await cache.getOrLoad<CachedPage<T>>(key, [], load);
      if (page.expiresAt !== undefined && page.expiresAt <= Date.now()) {
        await cache.invalidate({ keys: [key] });
        page = await cache.getOrLoad<CachedPage<T>>(key, [], load);
      }
      // A stale page stays out of the hot layer: the next read must find the refreshed one.
      const staleAt = page.loadedAt + freshMs;
      if (Date.now() <= staleAt) hot?.set(key, page, Math.min(page.expiresAt ?? Infinity, staleAt));
      return served(page);
    } catch (err) {
      // The two-tier cache wraps a loader's error (the memory tier alone does not); a domain error
      // (a bad filter) must still reach the client as itself.
      const cause = (err as { cause?: unknown }).cause;
      throw cause instanceof DomainError ? cause : err;
    }
  }

  /** The category rows, cached; `fresh` (a writer's read, already on its target) skips the cache. */
  const categoryRows = (fresh?: ReadTarget) =>
    fresh
      ? repo.listCategories(fresh.db)
      : cache.getOrLoad(cacheKeys.categoryRows, [], () => replicas.read((t) => repo.listCategories(t.db)));

  async function assertCategory(trx: Kysely<unknown>, categoryId: string | null | undefined, field: string): Promise<void> {
    if (categoryId && !(await repo.categoryExists(trx, categoryId))) throw catalogErrors.categoryNotFound(field);
  }

  /** Locks a product for a write by its owner. Anyone else is told it does not exist. */
  async function lockOwned(trx: Kysely<unknown>, productId: string, accountId: string): Promise<repo.ProductHead> {
    const head = await repo.lockProduct(trx, productId);
    if (!head || head.owner_id !== accountId) throw catalogErrors.productNotFound();
    return head;
  }

  async function readBack(trx: Kysely<unknown>, productId: string): Promise<Product> {
    const row = await repo.productsByIds(trx, [productId]);
    if (!row[0]) throw catalogErrors.productNotFound();
    return toProduct(row[0]);
  }

  function mapSkuConflict(err: unknown, field: string): never {
    if (repo.uniqueViolation(err) === 'catalog_variants_sku_key') throw catalogErrors.skuTaken(field);
    throw err;
  }

  /** `fresh`: the categories are read on `t` too rather than from the cache (a writer's read). */
  async function listPage(t: ReadTarget, q: ListQuery, shopId: string | null, fresh: boolean): Promise<ProductPage> {
    const after = q.cursor ? decodeProductCursor(q.cursor, q.sort) : null;
    if (q.minPrice !== undefined && q.maxPrice !== undefined && q.minPrice > q.maxPrice) throw catalogErrors.invalidPriceRange();
    const categoryIds = q.category !== undefined ? withDescendants(await categoryRows(fresh ? t : undefined), q.category) : null;
    const rows = await repo
      .listPublished(t.db, {
        sort: q.sort,
        categoryIds,
        shopSlug: q.shop ?? null,
        shopId,
        minPrice: q.minPrice ?? null,
        maxPrice: q.maxPrice ?? null,
        priceCurrency: deps.currency,
        after: after ? { k: after.k, id: after.id } : null,
        limit: q.limit + 1,
      })
      .catch(refuseBadTimestamp);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    const nextCursor =
      more && last ? encodeProductCursor({ s: q.sort, k: q.sort === 'newest' ? last.created_key : last.price_min, id: last.id }) : null;
    return { items: page.map(toSummary), nextCursor };
  }

  const service: CatalogUseCases = {
    async createCategory(input) {
      const row: repo.CategoryRow = { id: newId(), slug: input.slug, name: input.name, parent_id: input.parentId ?? null };
      await db.transaction().execute(async (trx) => {
        await assertCategory(trx, row.parent_id, 'body.parentId');
        await repo.insertCategory(trx, row).catch((err: unknown) => {
          if (repo.uniqueViolation(err) === 'catalog_categories_slug_key') throw catalogErrors.categorySlugTaken();
          throw err;
        });
      });
      await afterCommit({ keys: [cacheKeys.categories, cacheKeys.categoryRows, cacheKeys.listsGeneration] });
      return toCategory(row);
    },

    async listCategories() {
      return (await repo.listCategories(db)).map(toCategory);
    },

    async createShop(ownerId, input, actor) {
      const currency = input.currency ?? deps.currency;
      if (!/^[A-Z]{3}$/.test(currency)) throw catalogErrors.invalidCurrency();
      if (await repo.shopByOwner(db, ownerId)) throw catalogErrors.shopExists();
      const row = await db
        .transaction()
        .execute(async (trx) => {
          const inserted = await repo.insertShop(trx, {
            id: newId(),
            slug: input.slug,
            name: input.name,
            description: input.description ?? '',
            story: input.story ?? '',
            shipping_policy: input.shippingPolicy ?? '',
            returns_policy: input.returnsPolicy ?? '',
            owner_id: ownerId,
            currency,
            status: actor && deps.shopApproval === 'required' ? 'pending' : 'active',
          });
          const shop = toShop(inserted!);
          if (actor) {
            const { id: _id, ownerId: _owner, createdAt: _at, statusChangedAt: _changed, ...after } = shop;
            await deps.audit.record(trx, actor, { action: 'shop.opened', targetType: 'shop', targetId: shop.id, before: null, after });
          }
          return inserted!;
        })
        .catch((err: unknown) => {
          const constraint = repo.uniqueViolation(err);
          if (constraint === 'catalog_shops_owner_key') throw catalogErrors.shopExists();
          if (constraint === 'catalog_shops_slug_key') throw catalogErrors.shopSlugTaken();
          throw err;
        });
      // The slug may have been cached as not found.
      await afterCommit({ keys: [cacheKeys.listsGeneration] });
      return toShop(row);
    },

    async ownShop(accountId) {
      const row = await repo.shopByOwner(db, accountId);
      return row ? toShop(row) : null;
    },

    productCounts: (shopId) => repo.shopProductCounts(db, shopId),

    async getShopBySlug(slug) {
      const row = await repo.shopBySlug(db, slug);
      return row ? toShop(row) : null;
    },

    async getShopByOwner(ownerId) {
      const row = await repo.shopByOwner(db, ownerId);
      return row ? toShop(row) : null;
    },

    async updateShop(actor, slug, patch) {
      const { shop, stale } = await db.transaction().execute(async (trx) => {
        const current = await repo.shopBySlug(trx, slug, { forUpdate: true });
        // Another seller's shop is not found, as another seller's product is: nothing about it is told.
        if (!current || current.owner_id !== actor.accountId) throw catalogErrors.shopNotFound();
        const updated = await repo.updateShop(trx, current.id, shopText(patch));
        await events.publish(trx, CATALOG_EVENTS.shopChanged, { shopId: current.id }, { jobKeySuffix: current.id });
        await deps.audit.record(trx, actor, {
          action: 'shop.updated',
          targetType: 'shop',
          targetId: current.id,
          before: pick(toShop(current), patch),
          after: pick(toShop(updated!), patch),
        });
        // Product pages show the shop's name: they are stale now too.
        return { shop: updated!, stale: await shopInvalidation(trx, current.id) };
      });
      await afterCommit(stale);
      return toShop(shop);
    },

    async createProduct(ownerId, input) {
      const shop = await repo.shopByOwner(db, ownerId);
      if (!shop) throw catalogErrors.shopRequired();
      const id = newId();
      const variants = prepareVariants(id, input.variants, 'body.variants');
      const product = await db.transaction().execute(async (trx) => {
        await assertCategory(trx, input.categoryId, 'body.categoryId');
        const shopStatus = await repo.lockShopStatus(trx, shop.id);
        await repo.insertProducts(trx, [
          {
            id,
            shop_id: shop.id,
            owner_id: ownerId,
            title: input.title,
            description: input.description,
            category_id: input.categoryId ?? null,
            status: input.status ?? 'draft',
            price_min: Math.min(...variants.map((v) => v.price)),
            currency: shop.currency,
            images: [],
            shop_active: shopStatus === 'active',
          },
        ]);
        await repo.insertVariants(trx, variants);
        await publishProduct(trx, id, shop.id);
        return readBack(trx, id);
      });
      await afterCommit(productInvalidation(id));
      return product;
    },

    async getProduct(id) {
      if (!isId(id)) return null;
      const row = await repo.productById(deps.pool, id);
      return row ? toProduct(row) : null;
    },

    async getProducts(given) {
      const ids = given.filter((id) => isId(id));
      const out: Product[] = [];
      for (let i = 0; i < ids.length; i += 1000) {
        out.push(...(await repo.productsByIds(db, ids.slice(i, i + 1000))).map(toProduct));
      }
      return out;
    },

    async assertProductOwner(productId, accountId) {
      if (!isId(productId)) throw catalogErrors.productNotFound();
      const head = await repo.productHead(db, productId);
      if (!head) throw catalogErrors.productNotFound();
      if (head.owner_id !== accountId) throw catalogErrors.notOwner();
    },

    async setProductImages(productId, images) {
      if (!isId(productId)) throw catalogErrors.productNotFound();
      await db.transaction().execute(async (trx) => {
        const updated = await repo.setImages(trx, productId, images as repo.ImageJson[]);
        if (!updated) throw catalogErrors.productNotFound();
        await publishProduct(trx, productId, updated.shop_id);
      });
      await afterCommit(productInvalidation(productId));
    },

    async importProducts(shopId, products) {
      const shop = await repo.shopById(db, shopId);
      if (!shop) throw catalogErrors.shopNotFound();
      const ids: string[] = [];
      const productRows: repo.NewProductRow[] = [];
      const variantRows: repo.NewVariantRow[] = [];
      products.forEach((p, i) => {
        const id = newId();
        const variants = prepareVariants(id, p.variants, `products[${i}].variants`);
        ids.push(id);
        variantRows.push(...variants);
        productRows.push({
          id,
          shop_id: shop.id,
          owner_id: shop.owner_id,
          title: p.title,
          description: p.description,
          category_id: p.categoryId ?? null,
          status: p.status ?? 'published',
          price_min: Math.min(...variants.map((v) => v.price)),
          currency: shop.currency,
          images: (p.images ?? []) as repo.ImageJson[],
          shop_active: true,
        });
      });
      await db.transaction().execute(async (trx) => {
        const active = (await repo.lockShopStatus(trx, shop.id)) === 'active';
        for (const row of productRows) row.shop_active = active;
        for (let i = 0; i < productRows.length; i += 1000) await repo.insertProducts(trx, productRows.slice(i, i + 1000));
        for (let i = 0; i < variantRows.length; i += 2000) await repo.insertVariants(trx, variantRows.slice(i, i + 2000));
      });
      await afterCommit({ keys: [cacheKeys.listsGeneration, ...ids.map(cacheKeys.product)] });
      return ids;
    },

    listProductIds(afterId, limit) {
      return repo.productIdsAfter(db, afterId, limit);
    },

    async sitemapProducts(offset, limit) {
      const found = await repo.publishedProductsByOffset(db, offset, limit);
      return found.map((r) => ({ id: r.id, updatedAt: r.updated_at.toISOString() }));
    },

    countPublishedProducts() {
      return repo.countPublishedProducts(db);
    },

    async sitemapShops(limit) {
      const found = await repo.shopSlugs(db, limit);
      return found.map((r) => ({ slug: r.slug, updatedAt: r.updated_at.toISOString() }));
    },

    async getVariants(given) {
      const ids = [...new Set(given.filter((id) => isId(id)))];
      if (ids.length === 0) return [];
      if (!variants) return readVariants(ids);
      const known = await variants.getMany<VariantForSale>(
        ids,
        async (missing) => new Map((await readVariants(missing)).map((v) => [v.variantId, v])),
      );
      return ids.flatMap((id) => known.get(id) ?? []);
    },

    async assertVariantOwner(variantId, accountId) {
      if (!isId(variantId)) throw catalogErrors.variantNotFound();
      const row = await repo.variantOwner(db, variantId);
      if (!row) throw catalogErrors.variantNotFound();
      if (row.owner_id !== accountId) throw catalogErrors.notOwner();
      return { productId: row.product_id };
    },

    async updateProduct(accountId, productId, patch) {
      const product = await db.transaction().execute(async (trx) => {
        const head = await lockOwned(trx, productId, accountId);
        if (patch.status === 'published' && head.moderation_note !== null) throw catalogErrors.productHeld(head.moderation_note);
        await assertCategory(trx, patch.categoryId, 'body.categoryId');
        await repo.updateProduct(trx, productId, patch);
        await publishProduct(trx, productId, head.shop_id);
        return readBack(trx, productId);
      });
      await afterCommit(productInvalidation(productId));
      return product;
    },

    async addVariant(accountId, productId, input) {
      const product = await db.transaction().execute(async (trx) => {
        const head = await lockOwned(trx, productId, accountId);
        const existing = await repo.variantSkus(trx, productId);
        if (existing.length >= MAX_VARIANTS) throw catalogErrors.tooManyVariants(MAX_VARIANTS);
        const sku = input.sku ?? `SKU-${existing.length + 1}-${newId().slice(-4)}`;
        if (existing.some((v) => v.sku === sku)) throw catalogErrors.skuTaken('body.sku');
        const position = existing.reduce((max, v) => Math.max(max, v.position + 1), 0);
        await repo
          .insertVariants(trx, [{ id: newId(), product_id: productId, sku, options: input.options, price: input.price, position }])
          .catch((err: unknown) => mapSkuConflict(err, 'body.sku'));
        await repo.refreshPriceMin(trx, productId);
        await publishProduct(trx, productId, head.shop_id);
        return readBack(trx, productId);
      });
      await afterCommit(productInvalidation(productId));
      return product;
    },

    async updateVariant(accountId, productId, variantId, patch) {
      const product = await db.transaction().execute(async (trx) => {
        const head = await lockOwned(trx, productId, accountId);
        const updated = await repo.updateVariant(trx, productId, variantId, patch).catch((err: unknown) => mapSkuConflict(err, 'body.sku'));
        if (!updated) throw catalogErrors.variantNotFound();
        await repo.refreshPriceMin(trx, productId);
        await publishProduct(trx, productId, head.shop_id);
        return readBack(trx, productId);
      });
      await afterCommit(productInvalidation(productId));
      return product;
    },

    async sellerProducts(accountId, cursor, limit, query = {}) {
      const after = cursor ? decodeProductCursor(cursor, 'newest') : null;
      const q = query.q?.trim() || null;
      const rows = await repo
        .productsByOwner(db, accountId, after ? { k: String(after.k), id: after.id } : null, limit + 1, {
          q,
          status: query.status ?? null,
        })
        .catch(refuseBadTimestamp);
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return {
        items: page.map(toProduct),
        nextCursor: more && last ? encodeProductCursor({ s: 'newest', k: last.created_key, id: last.id }) : null,
      };
    },

    async setShopImage(shopId, slot, image) {
      if (!isId(shopId)) throw catalogErrors.shopNotFound();
      await repo.setShopImage(db, shopId, slot, image as repo.ImageJson);
      // The shop's page shows it; it is cached under the lists generation.
      await afterCommit({ keys: [cacheKeys.listsGeneration] });
    },

    onVisibilityChange(listener) {
      visibilityListeners.push(listener);
    },

    moderation: createModeration({
      db,
      events,
      audit: deps.audit,
      afterCommit,
      shopInvalidation,
      productInvalidation,
      visibilityChanged,
      readBack,
    }),

    pages: {
      async product(id, read) {
        // The JSON route's schema refuses a malformed id; a page that passes one on gets null, not a uuid cast error.
        if (!isId(id)) return NONE;
        return cachedPage<PublicProduct | null>(cacheKeys.product(id), read, async (t) => {
          const row = await repo.productById(t.pool, id);
          // Drafts are private: the owner reads them through /seller/products. A shop that is not
          // active (pending approval, suspended) shows nothing.
          if (!row || row.status !== 'published' || row.shop_status !== 'active') return notFound();
          return prepare(toPublicProduct(toProduct(row)));
        });
      },

      async list(q, read) {
        // Bad input (a cursor, a price range) is refused by the loader, which then stores nothing;
        // checking it here would put a digest on every warm read.
        const key = cacheKeys.list(
          await listsGeneration(),
          [q.sort, q.limit, q.category ?? '', q.shop ?? '', q.minPrice ?? '', q.maxPrice ?? '', q.cursor ?? ''].join('|'),
        );
        return cachedPage(key, read, async (t) => prepare(await listPage(t, q, null, Boolean(read?.minLsn))));
      },

      async shop(slug, read) {
        return cachedPage<ShopPage | null>(cacheKeys.shop(await listsGeneration(), slug), read, async (t) => {
          const shop = await repo.shopBySlug(t.db, slug);
          if (!shop || shop.status !== 'active') return notFound();
          const products = await listPage(t, { sort: 'newest', limit: 24 }, shop.id, Boolean(read?.minLsn));
          return prepare<ShopPage>({ shop: toPublicShop(toShop(shop)), products });
        });
      },

      categories(read) {
        return cachedPage(cacheKeys.categories, read, async (t) =>
          prepare<CategoryTree>({ categories: buildTree(await categoryRows(read?.minLsn ? t : undefined)) }),
        );
      },
    },
  };
  return service;
}
