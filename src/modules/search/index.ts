import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { EventBus } from '../../platform/events.ts';
import type { PublicCachePolicy } from '../../platform/http/cached-json.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { PermanentJobError } from '../../platform/queue/queue.ts';
import { CATALOG_EVENTS, type CatalogService } from '../catalog/index.ts';
import { searchMigrations } from './search.migrations.ts';
import { searchRoutes } from './search.routes.ts';
import { createSearchService, type SearchUseCases } from './search.service.ts';

/**
 * Product search: PostgreSQL full text over a read model (`search_documents`) that follows the
 * catalog through its events. Other modules only ever call `indexProducts`.
 */
export { searchMigrations };
export type { Prepared } from '../../platform/cache/prepared.ts';
export type { SearchPage, SearchResultItem } from './search.service.ts';

export type SearchService = Readonly<{
  /** (Re)builds the search documents of these products from the catalog; idempotent. */
  indexProducts(productIds: readonly string[]): Promise<void>;
}>;
/** The cached public reads GET /search presents, for the storefront's pages: the same values, caches and versions. */
export type SearchReads = Pick<SearchUseCases, 'searchPage'>;
export type SearchModule = ModuleDefinition & Readonly<{ service: SearchService; reads: SearchReads }>;

export type SearchSettings = Readonly<{
  /** The ranked full-text query's time budget; past it a simpler title-only query answers (search.service.ts). */
  fullTextTimeoutMs: number;
}>;

export function createSearch(deps: {
  stores: Stores;
  cache: Cache;
  events: EventBus;
  catalog: CatalogService;
  httpCache: PublicCachePolicy;
  settings: SearchSettings;
  log: Logger;
}): SearchModule {
  const useCases = createSearchService({
    db: deps.stores.catalog.db,
    replicas: deps.stores.catalogReplicas,
    cache: deps.cache,
    catalog: deps.catalog,
    fullTextTimeoutMs: deps.settings.fullTextTimeoutMs,
    log: deps.log.child({ module: 'search' }),
  });

  // Each handler re-reads the current product from the catalog, so a replayed or late event
  // converges on the present state rather than on the state the event described.
  deps.events.subscribe(CATALOG_EVENTS.productChanged, 'search', async (event) => {
    const productId = event.payload.productId;
    if (typeof productId !== 'string') throw new PermanentJobError(`product.changed without a productId (event ${event.id})`);
    await useCases.indexProducts([productId]);
  });
  deps.events.subscribe(CATALOG_EVENTS.shopChanged, 'search', async (event) => {
    const shopId = event.payload.shopId;
    if (typeof shopId !== 'string') throw new PermanentJobError(`shop.changed without a shopId (event ${event.id})`);
    await useCases.indexShop(shopId);
  });

  // An operator's decision (a shop suspended, a product unpublished) reaches the results before the
  // operator is answered, not when the event's job runs (docs/moderation.md).
  deps.catalog.onVisibilityChange((change) =>
    'shopId' in change ? useCases.indexShop(change.shopId) : useCases.indexProducts([change.productId]),
  );

  return {
    name: 'search',
    migrations: searchMigrations,
    routes: searchRoutes({ search: useCases, httpCache: deps.httpCache }),
    service: { indexProducts: useCases.indexProducts },
    reads: { searchPage: useCases.searchPage },
  };
}
