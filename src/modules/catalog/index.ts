import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { EventBus } from '../../platform/events.ts';
import type { PublicCachePolicy } from '../../platform/http/cached-json.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { Money } from '../../shared/money.ts';
import type { AuthGuards } from '../identity/index.ts';
import type { AuditActor, AuditRecorder } from '../audit/index.ts';
import { catalogMigrations } from './catalog.migrations.ts';
import { catalogRoutes } from './catalog.routes.ts';
import { createCatalogService, type CatalogReads, type CatalogUseCases } from './catalog.service.ts';

/**
 * The catalog's public surface: shops, products with their variants, categories. Other modules call
 * `CatalogService` (never the tables); the HTTP routes are mounted by app/http.ts.
 */
export { CATALOG_EVENTS, type ProductChangedPayload, type ShopChangedPayload } from './catalog.events.ts';
export { catalogMigrations };
export { SLUG_RULE, TEXT_LIMITS } from './catalog.schemas.ts';
export type { Prepared } from '../../platform/cache/prepared.ts';
export type { CatalogReads, CatalogUseCases, ListQuery, PageRead, ProductPatch, SellerProductQuery, ShopPatch } from './catalog.service.ts';
export type { Moderation, ShopDetail, ShopQuery } from './catalog.moderation.ts';
export type { ProductSort } from './catalog.cursor.ts';
export type {
  CategoryNode,
  CategoryTree,
  Page,
  ProductPage,
  ProductSummary,
  PublicProduct,
  PublicShop,
  ShopPage,
} from './catalog.views.ts';

export type ProductStatus = 'draft' | 'published';
/** pending: waits for the operator's approval; active: approved, selling; suspended: taken off the storefront by the operator. */
export type ShopStatus = 'pending' | 'active' | 'suspended';

/** Image URLs are set by the media module once its resize job has produced them. */
export type ProductImage = Readonly<{
  id: string;
  alt: string;
  urls: Readonly<{ thumb: string; card: string; full: string }>;
}>;

export type Variant = Readonly<{
  id: string;
  sku: string;
  /** e.g. { size: 'M', colour: 'indigo' } */
  options: Readonly<Record<string, string>>;
  price: Money;
  position: number;
}>;

export type Product = Readonly<{
  id: string;
  shopId: string;
  shopSlug: string;
  shopName: string;
  ownerId: string;
  title: string;
  description: string;
  categoryId: string | null;
  categoryName: string | null;
  status: ProductStatus;
  /** The operator's reason while it holds the product unpublished (the seller cannot publish it); else null. */
  moderationNote: string | null;
  /** Whether the shop sells: its products are public only while it is active. */
  shopStatus: ShopStatus;
  /** The lowest variant price: what lists show and sort by. */
  priceMin: Money;
  images: ReadonlyArray<ProductImage>;
  variants: ReadonlyArray<Variant>;
  createdAt: string;
  updatedAt: string;
}>;

export type Shop = Readonly<{
  id: string;
  slug: string;
  name: string;
  description: string;
  ownerId: string;
  currency: string;
  createdAt: string;
  story: string;
  shippingPolicy: string;
  returnsPolicy: string;
  status: ShopStatus;
  /** The operator's reason for the current status (a suspension's), or null. */
  statusReason: string | null;
  statusChangedAt: string | null;
  /** Set by the media module once an uploaded logo or banner has been resized. */
  logo: ProductImage | null;
  banner: ProductImage | null;
}>;

export type Category = Readonly<{ id: string; slug: string; name: string; parentId: string | null }>;

/**
 * A shop's products by where they stand. The three are apart (an operator's hold makes a product a
 * draft, and a held product cannot be published), so they add up to every product of the shop.
 */
export type ProductCounts = Readonly<{ published: number; draft: number; held: number }>;

export type NewShop = Readonly<{
  slug: string;
  name: string;
  description?: string;
  currency?: string;
  story?: string;
  shippingPolicy?: string;
  returnsPolicy?: string;
}>;

/** Price in integer minor units of the shop's currency, 1..MAX_AMOUNT. A missing SKU gets `SKU-<n>`. */
export type NewVariant = Readonly<{ sku?: string; options: Record<string, string>; price: number }>;
export type NewProduct = Readonly<{
  title: string;
  description: string;
  categoryId?: string | null;
  /** Defaults to draft for createProduct and to published for importProducts. */
  status?: ProductStatus;
  variants: ReadonlyArray<NewVariant>;
}>;

/** A variant with what a cart or an order needs to sell it: one row per variant, no nested product. */
export type VariantForSale = Readonly<{
  variantId: string;
  productId: string;
  productTitle: string;
  sku: string;
  options: Readonly<Record<string, string>>;
  price: Money;
  shopId: string;
  shopName: string;
  sellerId: string;
  /**
   * False for a draft product or one whose shop is not active (pending approval, suspended):
   * callers refuse to sell it but may still show it (a flagged cart line).
   */
  published: boolean;
}>;

export type CatalogService = Readonly<{
  createCategory(input: { slug: string; name: string; parentId?: string | null }): Promise<Category>;
  listCategories(): Promise<ReadonlyArray<Category>>;
  /**
   * Opens a shop. With `actor` (a seller opening their own): audited, and pending when the
   * marketplace requires approval (ATELIER_SHOP_APPROVAL). Without (seeding, tools): active.
   */
  createShop(ownerId: string, input: NewShop, actor?: AuditActor): Promise<Shop>;
  getShopBySlug(slug: string): Promise<Shop | null>;
  getShopByOwner(ownerId: string): Promise<Shop | null>;
  createProduct(ownerId: string, input: NewProduct): Promise<Product>;
  /** Uncached read from the primary; drafts included (callers decide what to show). */
  getProduct(id: string): Promise<Product | null>;
  /** Uncached, drafts included, in no particular order; unknown ids are left out. */
  getProducts(ids: readonly string[]): Promise<Product[]>;
  /** Throws CATALOG_PRODUCT_NOT_FOUND (not_found) or CATALOG_NOT_OWNER (forbidden). */
  assertProductOwner(productId: string, accountId: string): Promise<void>;
  /** Called by the media module's job: replaces the product's image list, publishes product.changed. */
  setProductImages(productId: string, images: ReadonlyArray<ProductImage>): Promise<void>;
  /**
   * Bulk insert for the seeder: many products of one shop in one transaction, multi-row inserts,
   * no per-product events. Returns the new product ids in input order.
   */
  importProducts(shopId: string, products: ReadonlyArray<NewProduct & { images?: ReadonlyArray<ProductImage> }>): Promise<string[]>;
  /** Ids of every product (published or not) in id order, a page at a time: for re-indexing. */
  listProductIds(afterId: string | null, limit: number): Promise<string[]>;
  /**
   * Published products (id, last change) in id order, `limit` of them from `offset`: the pages of
   * the storefront's sitemap.xml. Uncached; the caller keeps the result a while.
   */
  sitemapProducts(offset: number, limit: number): Promise<ReadonlyArray<Readonly<{ id: string; updatedAt: string }>>>;
  /** How many products are published: how many sitemap pages there are. Uncached. */
  countPublishedProducts(): Promise<number>;
  /** Every shop's slug and last change, by slug, at most `limit`: the sitemap's shops. Uncached. */
  sitemapShops(limit: number): Promise<ReadonlyArray<Readonly<{ slug: string; updatedAt: string }>>>;
  /**
   * Uncached read from the primary (prices must be current at checkout), drafts included with
   * `published: false`, in no particular order. Unknown or malformed ids are left out. One query.
   */
  getVariants(variantIds: readonly string[]): Promise<ReadonlyArray<VariantForSale>>;
  /**
   * Returns the variant's product id when `accountId` owns its shop. Throws CATALOG_VARIANT_NOT_FOUND
   * (not_found) or CATALOG_NOT_OWNER (forbidden), like assertProductOwner.
   */
  assertVariantOwner(variantId: string, accountId: string): Promise<{ productId: string }>;
  /**
   * Called after an operator's decision commits that shows or hides products (a shop approved,
   * suspended or reinstated; a product unpublished), before the operator's request is answered:
   * search drops or restores them at once rather than when the event's job runs. A listener that
   * fails is logged; the `shop.changed` / `product.changed` event still brings it round.
   */
  onVisibilityChange(listener: (change: VisibilityChange) => Promise<void>): void;
  /** Called by the media module's job: the shop's logo or banner, now ready. */
  setShopImage(shopId: string, slot: 'logo' | 'banner', image: ProductImage): Promise<void>;
}>;

export type VisibilityChange = Readonly<{ shopId: string } | { productId: string }>;

export type CatalogModule = ModuleDefinition &
  Readonly<{
    /** The contract plus the seller's and operator's use cases (the pages call them as the routes do). */
    service: CatalogUseCases;
    /**
     * The cached public reads the JSON routes present (GET /products, /products/:id, /shops/:slug,
     * /categories), for the storefront's pages: the same values, caches and versions.
     */
    reads: CatalogReads;
    /** The operator's decisions and look-ups (catalog.moderation.ts) for the console's pages: the admin routes' functions. */
    moderation: CatalogUseCases['moderation'];
    /** A seller's products, drafts and held ones included (GET /seller/products), for the back office's pages. */
    sellerProducts: CatalogUseCases['sellerProducts'];
  }>;

export function createCatalog(deps: {
  stores: Stores;
  cache: Cache;
  events: EventBus;
  guards: AuthGuards;
  httpCache: PublicCachePolicy;
  currency: string;
  audit: AuditRecorder;
  /** ATELIER_SHOP_APPROVAL: whether a shop a seller opens waits for the operator's approval. */
  shopApproval: 'required' | 'none';
  /** For the read-your-writes cookie (platform/http/read-your-writes.ts), set only with replicas. */
  cookieSecure: boolean;
  log: Logger;
}): CatalogModule {
  const useCases: CatalogUseCases = createCatalogService({
    db: deps.stores.catalog.db,
    pool: deps.stores.catalog.pool,
    replicas: deps.stores.catalogReplicas,
    cache: deps.cache,
    events: deps.events,
    currency: deps.currency,
    audit: deps.audit,
    shopApproval: deps.shopApproval,
    log: deps.log.child({ module: 'catalog' }),
  });
  return {
    name: 'catalog',
    migrations: catalogMigrations,
    routes: catalogRoutes({
      catalog: useCases,
      guards: deps.guards,
      httpCache: deps.httpCache,
      replicas: deps.stores.catalogReplicas,
      cookieSecure: deps.cookieSecure,
    }),
    service: useCases,
    reads: useCases.pages,
    moderation: useCases.moderation,
    sellerProducts: useCases.sellerProducts,
  };
}
