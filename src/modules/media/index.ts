import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import type { AuditRecorder } from '../audit/index.ts';
import { mediaMigrations } from './media.migrations.ts';
import { mediaRootRoutes, mediaRoutes, type MediaSettings } from './media.routes.ts';
import { createMediaService, RESIZE_TASK, type MediaService } from './media.service.ts';
import { createLocalDiskStorage, type MediaStorage } from './media.storage.ts';

export { mediaMigrations };
export type { MediaService, ImageUrls, ImageView } from './media.service.ts';
export type { MediaStorage } from './media.storage.ts';
export { MAX_IMAGES_PER_PRODUCT, RESIZE_TASK } from './media.service.ts';
export type { MediaSettings };

/**
 * Product images: uploads checked by content, originals kept private, WebP variants made by a job
 * and served content-addressed from `/media/<sha256>.webp`.
 */
export type MediaModule = ModuleDefinition &
  Readonly<{
    service: MediaService;
    /** Where the bytes live; exposed for tooling and tests. */
    storage: MediaStorage;
  }>;

export function createMedia(deps: {
  stores: Stores;
  events: EventBus;
  guards: AuthGuards;
  catalog: CatalogService;
  audit: AuditRecorder;
  settings: MediaSettings;
  log: Logger;
  /** Defaults to the local disk under settings.dir. */
  storage?: MediaStorage;
}): MediaModule {
  const log = deps.log.child({ module: 'media' });
  const storage = deps.storage ?? createLocalDiskStorage(deps.settings.dir);
  const service = createMediaService({ stores: deps.stores, catalog: deps.catalog, storage, audit: deps.audit, log });
  return {
    name: 'media',
    migrations: mediaMigrations,
    service,
    storage,
    routes: mediaRoutes({ service, guards: deps.guards, settings: deps.settings }),
    rootRoutes: mediaRootRoutes({ storage }),
    tasks: {
      [RESIZE_TASK]: async (payload) => {
        const imageId = payload.imageId;
        if (typeof imageId !== 'string') throw new Error('media.resize-image needs an imageId');
        await service.resizeImage(imageId);
      },
    },
  };
}
