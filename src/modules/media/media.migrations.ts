import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/** Media rows live in the catalog store, next to the products they illustrate. */
export const mediaMigrations: ModuleMigrations = {
  module: 'media',
  catalog: {
    '0001_media_images': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table media_images (
            id uuid primary key,
            product_id uuid not null,
            owner_id uuid not null,
            alt text not null default '' check (char_length(alt) <= 200),
            original_key text not null,
            status text not null check (status in ('processing', 'ready', 'failed')),
            width integer,
            height integer,
            thumb_key text,
            card_key text,
            full_key text,
            error text,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            check (status <> 'ready' or (thumb_key is not null and card_key is not null and full_key is not null))
          );
          -- A product's images in upload order: the list the product shows and the owner's listing.
          create index media_images_product on media_images (product_id, created_at, id);
        `.execute(db);
      },
    },
    '0002_shop_images': {
      async up(db: Kysely<unknown>) {
        // A shop's logo and banner go through the same checks and resize job as product images;
        // a row belongs to a product or to one slot of a shop, never both.
        await sql`
          alter table media_images
            alter column product_id drop not null,
            add column shop_id uuid,
            add column shop_slot text check (shop_slot in ('logo', 'banner')),
            add constraint media_images_one_owner check ((product_id is null) <> (shop_id is null) and (shop_id is null) = (shop_slot is null));
          create index media_images_shop on media_images (shop_id, shop_slot, created_at desc, id desc) where shop_id is not null;
        `.execute(db);
      },
    },
    '0003_image_position': {
      async up(db: Kysely<unknown>) {
        // The seller's order of a product's images; null (a new upload) comes after every placed one, in upload order.
        await sql`alter table media_images add column position integer check (position >= 0)`.execute(db);
      },
    },
  },
};
