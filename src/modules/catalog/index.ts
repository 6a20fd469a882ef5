// STUB: the catalog helper replaces this file, keeping createCatalog, catalogMigrations, CatalogModule.
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { EventBus } from '../../platform/events.ts';
import type { PublicCachePolicy } from '../../platform/http/cached-json.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { AuthGuards } from '../identity/index.ts';

export type CatalogService = Readonly<Record<string, never>>;
export type CatalogModule = ModuleDefinition & Readonly<{ service: CatalogService }>;
export const catalogMigrations: ModuleMigrations = { module: 'catalog' };

export function createCatalog(_deps: {
  stores: Stores;
  cache: Cache;
  events: EventBus;
  guards: AuthGuards;
  httpCache: PublicCachePolicy;
  currency: string;
  log: Logger;
}): CatalogModule {
  return { name: 'catalog', migrations: catalogMigrations, service: {} };
}
