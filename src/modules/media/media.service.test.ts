import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newId } from '../../shared/ids.ts';
import type { CatalogService, ProductImage } from '../catalog/index.ts';
import { createMediaService, type MediaService } from './media.service.ts';
import { createLocalDiskStorage } from './media.storage.ts';
import { makeImage } from './media.testing.ts';
import { stageStream } from './media.upload.ts';

/**
 * The service against a fake catalog, to provoke the race the per-product lock exists for: two
 * resize jobs of one product whose "publish the image list" steps overlap.
 */
describe('media service: publishing a product image list under concurrency', () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    t = await createTestApp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-media-svc-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a slow first publish cannot overwrite the newer, longer list', async () => {
    const published: string[][] = [];
    let calls = 0;
    const catalog = {
      assertProductOwner: async () => {},
      setProductImages: async (_productId: string, images: ReadonlyArray<ProductImage>) => {
        calls += 1;
        // The first publish stalls (a slow catalog write) while the second image becomes ready.
        if (calls === 1) await sleep(400);
        published.push(images.map((i) => i.id));
      },
    } as unknown as CatalogService;
    const service: MediaService = createMediaService({
      stores: t.app.stores,
      catalog,
      storage: createLocalDiskStorage(dir),
      audit: { record: async () => {} },
      log: t.app.log,
    });
    const productId = newId();
    const ids: string[] = [];
    for (const size of [300, 400]) {
      const bytes = await makeImage(size, size);
      const { id } = await service.addProductImage(newId(), productId, async () => ({
        file: await stageStream(Readable.from([bytes]), path.join(dir, '.staging'), 1_000_000),
        alt: null,
      }));
      ids.push(id);
    }
    await Promise.all(ids.map((id) => service.resizeImage(id)));
    assert.ok(published.length >= 2);
    assert.deepEqual(published.at(-1), ids, `publishes in order: ${JSON.stringify(published)}`);
  });
});
