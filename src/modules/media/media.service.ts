import { createReadStream } from 'node:fs';
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Stores } from '../../platform/postgres/stores.ts';
import { enqueue, PermanentJobError } from '../../platform/queue/queue.ts';
import { isDomainError } from '../../shared/errors.ts';
import { isId, newId } from '../../shared/ids.ts';
import type { AuditActor, AuditRecorder } from '../audit/index.ts';
import type { CatalogService, ProductImage } from '../catalog/index.ts';
import { mediaErrors } from './media.errors.ts';
import { detectImageType, ImageDecodeError, probeImage, renderVariants } from './media.images.ts';
import * as repo from './media.repository.ts';
import { originalKey, variantKey, type MediaStorage } from './media.storage.ts';
import type { UploadParts } from './media.upload.ts';

export const RESIZE_TASK = 'media.resize-image';
export const MAX_ALT_LENGTH = 200;
/** Enough for a product page; keeps one seller from filling the disk through one product. */
export const MAX_IMAGES_PER_PRODUCT = 12;

export type ImageUrls = ProductImage['urls'];

/** An image as its owner sees it, whatever its state. */
export type ImageView = Readonly<{
  id: string;
  productId: string;
  alt: string;
  status: repo.ImageStatus;
  width: number | null;
  height: number | null;
  urls: ImageUrls | null;
  error: string | null;
  createdAt: string;
}>;

export type ImagePatch = Readonly<{ alt?: string; position?: number }>;

export type MediaService = Readonly<{
  /**
   * Checks that the account owns the product before `read` touches the request body, then checks
   * the staged file by content, stores the original, and records the image with its resize job in
   * one transaction, audited (`image.uploaded`) in it. The image becomes visible on the product once
   * the job has run.
   */
  addProductImage(actor: AuditActor, productId: string, read: () => Promise<UploadParts>): Promise<{ id: string; status: 'processing' }>;
  /** The owner's view of a product's images, failed and in-progress ones included. */
  listProductImages(accountId: string, productId: string): Promise<ImageView[]>;
  /**
   * Removes an image from its product (the product stops showing it at once). The files stay:
   * they are content-addressed and may be shared with another image of the same bytes. Audited
   * (`image.deleted`) in the delete's transaction.
   */
  removeProductImage(actor: AuditActor, productId: string, imageId: string): Promise<void>;
  /**
   * The owner changes an image's alt text or moves it to `position` (0 first; past the end is
   * last): the product shows its images in that order at once. Audited (`image.updated`) in the
   * change's transaction. Answers the product's images in their new order.
   */
  updateProductImage(actor: AuditActor, productId: string, imageId: string, patch: ImagePatch): Promise<ImageView[]>;
  /**
   * A new logo or banner for the seller's own shop: the same checks and resize job as a product
   * image; the shop shows it once the job has run (the newest ready upload of the slot wins).
   * Audited in the transaction that records it.
   */
  addShopImage(actor: AuditActor, slot: repo.ShopSlot, read: () => Promise<UploadParts>): Promise<{ id: string; status: 'processing' }>;
  /** The resize job: idempotent, safe to re-run after a crash at any point. */
  resizeImage(imageId: string): Promise<void>;
  /**
   * Re-encodes an image into the public variants and stores them, with no row and no job: for the
   * demo seeder, whose few placeholder images are shared by many products.
   */
  storeVariants(bytes: Buffer): Promise<ImageUrls>;
}>;

export function createMediaService(deps: {
  stores: Stores;
  catalog: CatalogService;
  audit: AuditRecorder;
  storage: MediaStorage;
  log: Logger;
}): MediaService {
  const { stores, catalog, audit, storage, log } = deps;
  const db = stores.catalog.db;

  function urlsOf(row: repo.ImageRow): ImageUrls | null {
    if (row.status !== 'ready' || !row.thumb_key || !row.card_key || !row.full_key) return null;
    return { thumb: storage.url(row.thumb_key), card: storage.url(row.card_key), full: storage.url(row.full_key) };
  }

  function toView(row: repo.ImageRow, productId: string): ImageView {
    return {
      id: row.id,
      productId,
      alt: row.alt,
      status: row.status,
      width: row.width,
      height: row.height,
      urls: urlsOf(row),
      error: row.error,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** Moves `row` to `position` among `rows` and writes the positions that changed. */
  async function reorder(trx: Kysely<unknown>, rows: readonly repo.ImageRow[], row: repo.ImageRow, position: number): Promise<number> {
    const order = rows.filter((r) => r.id !== row.id);
    const at = Math.min(position, order.length);
    order.splice(at, 0, row);
    for (const [i, r] of order.entries()) if (r.position !== i) await repo.updateImage(trx, r.id, { position: i });
    return at;
  }

  /** Publishes the product's ready images, in the seller's order, to the catalog. */
  async function syncProductImages(productId: string): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await repo.lockProductImages(trx, productId);
      const rows = await repo.listProductImages(trx, productId);
      const images: ProductImage[] = [];
      for (const row of rows) {
        const urls = urlsOf(row);
        if (urls) images.push({ id: row.id, alt: row.alt, urls });
      }
      try {
        // Inside the locked transaction on purpose: the list written is the latest one.
        await catalog.setProductImages(productId, images);
      } catch (err) {
        if (isDomainError(err) && err.kind === 'not_found') {
          log.info({ productId }, 'product is gone; its images are not published');
          return;
        }
        throw err;
      }
    });
  }

  /** Shows the newest ready image of the slot on the shop (an older one finishing later changes nothing). */
  async function publishShopImage(shopId: string, slot: repo.ShopSlot): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await repo.lockShopImages(trx, shopId, slot);
      const row = await repo.latestShopImage(trx, shopId, slot);
      const urls = row ? urlsOf(row) : null;
      if (row && urls) await catalog.setShopImage(shopId, slot, { id: row.id, alt: row.alt, urls });
    });
  }

  /**
   * Checks a staged upload by content and stores its original, then hands it to `record` (which
   * writes its row and job); the staged file is removed whatever happens.
   */
  async function acceptUpload<T>(
    parts: UploadParts,
    record: (upload: { key: string; alt: string; width: number | null; height: number | null }) => Promise<T>,
  ): Promise<T> {
    const { file, alt } = parts;
    try {
      if (!file) throw mediaErrors.imageRequired();
      const altText = (alt ?? '').trim();
      if ([...altText].length > MAX_ALT_LENGTH) throw mediaErrors.altTooLong(MAX_ALT_LENGTH);
      const type = await detectImageType(file.path);
      if (!type) throw mediaErrors.unsupportedType();
      const probe = await probeImage(file.path, type);
      if (!probe.ok) throw probe.reason === 'too_many_pixels' ? mediaErrors.dimensionsTooLarge() : mediaErrors.unreadable();
      // The original is written before the row, so a committed row always has its bytes.
      const key = originalKey(file.sha256, type.ext);
      await storage.put(key, createReadStream(file.path));
      return await record({ key, alt: altText, width: probe.width, height: probe.height });
    } finally {
      await file?.discard();
    }
  }

  async function storeRendered(bytes: Buffer): Promise<{ thumb: string; card: string; full: string }> {
    const variants = await renderVariants(bytes);
    const keys: Record<string, string> = {};
    for (const v of variants) {
      const key = variantKey(v.sha256);
      await storage.put(key, v.bytes);
      keys[v.name] = key;
    }
    return { thumb: keys.thumb!, card: keys.card!, full: keys.full! };
  }

  return {
    async addProductImage(actor, productId, read) {
      const accountId = actor.accountId;
      await catalog.assertProductOwner(productId, accountId);
      if ((await repo.countLiveImages(db, productId)) >= MAX_IMAGES_PER_PRODUCT) throw mediaErrors.tooManyImages(MAX_IMAGES_PER_PRODUCT);

      return acceptUpload(await read(), async ({ key, alt, width, height }) => {
        const id = newId();
        await db.transaction().execute(async (trx) => {
          await repo.insertImage(trx, { id, product_id: productId, owner_id: accountId, alt, original_key: key, width, height });
          await enqueue(trx, { task: RESIZE_TASK, payload: { imageId: id }, jobKey: `${RESIZE_TASK}:${id}`, maxAttempts: 10 });
          await audit.record(trx, actor, {
            action: 'image.uploaded',
            targetType: 'image',
            targetId: id,
            before: null,
            after: { productId, alt, originalKey: key, width, height },
          });
        });
        return { id, status: 'processing' as const };
      });
    },

    async addShopImage(actor, slot, read) {
      const shop = await catalog.getShopByOwner(actor.accountId);
      if (!shop) throw mediaErrors.shopRequired();
      return acceptUpload(await read(), async (upload) => {
        const id = newId();
        await db.transaction().execute(async (trx) => {
          await repo.insertImage(trx, {
            id,
            product_id: null,
            shop_id: shop.id,
            shop_slot: slot,
            owner_id: actor.accountId,
            alt: upload.alt,
            original_key: upload.key,
            width: upload.width,
            height: upload.height,
          });
          await enqueue(trx, { task: RESIZE_TASK, payload: { imageId: id }, jobKey: `${RESIZE_TASK}:${id}`, maxAttempts: 10 });
          await audit.record(trx, actor, {
            action: 'shop.image_uploaded',
            targetType: 'shop',
            targetId: shop.id,
            before: { [slot]: shop[slot]?.id ?? null },
            after: { [slot]: id },
          });
        });
        return { id, status: 'processing' as const };
      });
    },

    async listProductImages(accountId, productId) {
      await catalog.assertProductOwner(productId, accountId);
      const rows = await repo.listProductImages(db, productId);
      return rows.map((row) => toView(row, productId));
    },

    async updateProductImage(actor, productId, imageId, patch) {
      await catalog.assertProductOwner(productId, actor.accountId);
      if (!isId(imageId)) throw mediaErrors.imageNotFound();
      const alt = patch.alt?.trim();
      if (alt !== undefined && [...alt].length > MAX_ALT_LENGTH) throw mediaErrors.altTooLong(MAX_ALT_LENGTH);
      await db.transaction().execute(async (trx) => {
        await repo.lockProductImages(trx, productId);
        const rows = await repo.listProductImages(trx, productId);
        const index = rows.findIndex((r) => r.id === imageId);
        const row = rows[index];
        if (!row) throw mediaErrors.imageNotFound();
        if (alt !== undefined) await repo.updateImage(trx, imageId, { alt });
        const at = patch.position !== undefined ? await reorder(trx, rows, row, patch.position) : index;
        await audit.record(trx, actor, {
          action: 'image.updated',
          targetType: 'image',
          targetId: imageId,
          before: { productId, alt: row.alt, position: index },
          after: { productId, alt: alt ?? row.alt, position: at },
        });
      });
      await syncProductImages(productId);
      return (await repo.listProductImages(db, productId)).map((row) => toView(row, productId));
    },

    async removeProductImage(actor, productId, imageId) {
      await catalog.assertProductOwner(productId, actor.accountId);
      await db.transaction().execute(async (trx) => {
        const row = await repo.deleteImage(trx, productId, imageId);
        if (!row) throw mediaErrors.imageNotFound();
        await audit.record(trx, actor, {
          action: 'image.deleted',
          targetType: 'image',
          targetId: row.id,
          before: { productId, alt: row.alt, originalKey: row.original_key, status: row.status },
          after: null,
        });
      });
      // A resize job still queued for it finds no row and stops.
      await syncProductImages(productId);
    },

    async resizeImage(imageId) {
      const row = await repo.findImage(db, imageId);
      if (!row) {
        log.info({ imageId }, 'image row is gone; nothing to resize');
        return;
      }
      if (row.status === 'failed') return;
      if (row.status === 'processing') {
        const original = await storage.get(row.original_key);
        if (!original) {
          await repo.markFailed(db, imageId, 'The original file is missing');
          throw new PermanentJobError(`original ${row.original_key} of image ${imageId} is missing`);
        }
        let keys: { thumb: string; card: string; full: string };
        try {
          keys = await storeRendered(original);
        } catch (err) {
          if (!(err instanceof ImageDecodeError)) throw err;
          log.warn({ imageId, reason: err.message }, 'image does not decode');
          await repo.markFailed(db, imageId, 'The image could not be decoded');
          throw new PermanentJobError(`image ${imageId} does not decode: ${err.message}`);
        }
        // Variant files are content-addressed and already stored, so a crash before this line
        // only means the next attempt writes nothing new and lands here again.
        await repo.markReady(db, imageId, keys);
      }
      // Also reached when a previous attempt marked the row ready but died before publishing.
      if (row.shop_id && row.shop_slot) await publishShopImage(row.shop_id, row.shop_slot);
      else if (row.product_id) await syncProductImages(row.product_id);
    },

    async storeVariants(bytes) {
      const keys = await storeRendered(bytes);
      return { thumb: storage.url(keys.thumb), card: storage.url(keys.card), full: storage.url(keys.full) };
    },
  };
}
