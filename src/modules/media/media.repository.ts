import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import { view } from '../../platform/postgres/database.ts';

export type ImageStatus = 'processing' | 'ready' | 'failed';
export type ShopSlot = 'logo' | 'banner';

export type MediaImagesTable = {
  id: string;
  /** Null for a shop's image (shop_id and shop_slot set instead). */
  product_id: string | null;
  shop_id: Generated<string | null>;
  shop_slot: Generated<ShopSlot | null>;
  owner_id: string;
  alt: string;
  original_key: string;
  status: ImageStatus;
  width: number | null;
  height: number | null;
  thumb_key: string | null;
  card_key: string | null;
  full_key: string | null;
  error: string | null;
  /** The seller's order (0 first); null until the seller orders them: after the placed ones, in upload order. */
  position: Generated<number | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

export type MediaTables = { media_images: MediaImagesTable };
export type ImageRow = Selectable<MediaImagesTable>;

const db = (d: Kysely<unknown>) => view<MediaTables>(d);

export async function insertImage(
  d: Kysely<unknown>,
  row: Pick<ImageRow, 'id' | 'product_id' | 'owner_id' | 'alt' | 'original_key' | 'width' | 'height'> &
    Partial<Pick<ImageRow, 'shop_id' | 'shop_slot'>>,
): Promise<void> {
  await db(d)
    .insertInto('media_images')
    .values({ ...row, status: 'processing' })
    .execute();
}

export async function findImage(d: Kysely<unknown>, id: string): Promise<ImageRow | null> {
  return (await db(d).selectFrom('media_images').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Deletes one image of one product and returns it; null when there was none. */
export async function deleteImage(d: Kysely<unknown>, productId: string, id: string): Promise<ImageRow | null> {
  const row = await db(d)
    .deleteFrom('media_images')
    .where('id', '=', id)
    .where('product_id', '=', productId)
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/** A product's images, every status, in the seller's order (then upload order). */
export async function listProductImages(d: Kysely<unknown>, productId: string): Promise<ImageRow[]> {
  return db(d)
    .selectFrom('media_images')
    .selectAll()
    .where('product_id', '=', productId)
    .orderBy(sql`position asc nulls last`)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Sets one image's alt text and position (null leaves either as it is). */
export async function updateImage(d: Kysely<unknown>, id: string, set: { alt?: string; position?: number }): Promise<void> {
  await db(d)
    .updateTable('media_images')
    .set({ ...set, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Images that count against the per-product limit: everything but failures. */
export async function countLiveImages(d: Kysely<unknown>, productId: string): Promise<number> {
  const row = await db(d)
    .selectFrom('media_images')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('product_id', '=', productId)
    .where('status', '<>', 'failed')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Processing -> ready; a no-op (false) if another run already finished the row. */
export async function markReady(d: Kysely<unknown>, id: string, keys: { thumb: string; card: string; full: string }): Promise<boolean> {
  const res = await db(d)
    .updateTable('media_images')
    .set({ status: 'ready', thumb_key: keys.thumb, card_key: keys.card, full_key: keys.full, error: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function markFailed(d: Kysely<unknown>, id: string, error: string): Promise<void> {
  await db(d)
    .updateTable('media_images')
    .set({ status: 'failed', error: error.slice(0, 500), updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'processing')
    .execute();
}

/**
 * Serialises the "publish this product's image list" step per product for the rest of the
 * transaction: two resize jobs finishing together must not let the older list overwrite the newer.
 */
export async function lockProductImages(trx: Kysely<unknown>, productId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`media:product:${productId}`}, 0))`.execute(trx);
}

/** The newest ready image of a shop's slot, or null. */
export async function latestShopImage(d: Kysely<unknown>, shopId: string, slot: ShopSlot): Promise<ImageRow | null> {
  return (
    (await db(d)
      .selectFrom('media_images')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('shop_slot', '=', slot)
      .where('status', '=', 'ready')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()) ?? null
  );
}

/** Serialises publishing a shop slot's image, as lockProductImages does for a product's list. */
export async function lockShopImages(trx: Kysely<unknown>, shopId: string, slot: ShopSlot): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`media:shop:${shopId}:${slot}`}, 0))`.execute(trx);
}
