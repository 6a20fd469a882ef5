// STUB: the catalog/search helper replaces this file, keeping createSearch, searchMigrations, SearchModule.
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { EventBus } from '../../platform/events.ts';
import type { PublicCachePolicy } from '../../platform/http/cached-json.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { CatalogService } from '../catalog/index.ts';

export type SearchService = Readonly<{
  /** (Re)builds the search documents of these products from the catalog; idempotent. */
  indexProducts(productIds: readonly string[]): Promise<void>;
}>;
export type SearchModule = ModuleDefinition & Readonly<{ service: SearchService }>;
export const searchMigrations: ModuleMigrations = { module: 'search' };

export function createSearch(_deps: {
  stores: Stores;
  cache: Cache;
  events: EventBus;
  catalog: CatalogService;
  httpCache: PublicCachePolicy;
  log: Logger;
}): SearchModule {
  return { name: 'search', migrations: searchMigrations, service: { indexProducts: async () => {} } };
}
