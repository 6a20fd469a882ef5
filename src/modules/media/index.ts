// STUB: the media helper replaces this file, keeping createMedia, mediaMigrations, MediaModule.
import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards } from '../identity/index.ts';

export type MediaModule = ModuleDefinition;
export const mediaMigrations: ModuleMigrations = { module: 'media' };

export function createMedia(_deps: {
  stores: Stores;
  events: EventBus;
  guards: AuthGuards;
  catalog: CatalogService;
  settings: { maxBytes: number; dir: string };
  log: Logger;
}): MediaModule {
  return { name: 'media', migrations: mediaMigrations };
}
