import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * The catalog's tables, all in the catalog store. `price_min` and `currency` are copied from the
 * variants onto the product (in the same transaction as every variant write) because lists filter
 * and sort by them; shop name and slug are not copied, so a shop rename needs no product rewrite.
 * Every public sort order has a partial index over published rows, so a list page is an index
 * scan that stops after `limit` rows (keyset pagination, no OFFSET).
 */
export const catalogMigrations: ModuleMigrations = {
  module: 'catalog',
  catalog: {
    '0001_catalog': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table catalog_categories (
            id uuid primary key,
            slug text not null,
            name text not null,
            parent_id uuid references catalog_categories (id),
            created_at timestamptz not null default now(),
            constraint catalog_categories_slug_key unique (slug)
          );
          create index catalog_categories_parent on catalog_categories (parent_id);

          create table catalog_shops (
            id uuid primary key,
            slug text not null,
            name text not null,
            description text not null default '',
            owner_id uuid not null,
            currency char(3) not null,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            constraint catalog_shops_slug_key unique (slug),
            constraint catalog_shops_owner_key unique (owner_id)
          );

          create table catalog_products (
            id uuid primary key,
            shop_id uuid not null references catalog_shops (id),
            owner_id uuid not null,
            title text not null,
            description text not null default '',
            category_id uuid references catalog_categories (id),
            status text not null default 'draft' check (status in ('draft', 'published')),
            price_min bigint not null check (price_min > 0),
            currency char(3) not null,
            images jsonb not null default '[]',
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now()
          );
          create index catalog_products_newest on catalog_products (created_at desc, id desc) where status = 'published';
          create index catalog_products_price on catalog_products (price_min, id) where status = 'published';
          create index catalog_products_shop_newest on catalog_products (shop_id, created_at desc, id desc) where status = 'published';
          create index catalog_products_category_newest on catalog_products (category_id, created_at desc, id desc) where status = 'published';
          create index catalog_products_shop on catalog_products (shop_id, id);
          create index catalog_products_owner on catalog_products (owner_id, created_at desc, id desc);

          create table catalog_variants (
            id uuid primary key,
            product_id uuid not null references catalog_products (id) on delete cascade,
            sku text not null,
            options jsonb not null default '{}',
            price bigint not null check (price > 0),
            position integer not null,
            constraint catalog_variants_sku_key unique (product_id, sku)
          );
          create index catalog_variants_product on catalog_variants (product_id, position);
        `.execute(db);
      },
    },
    '0002_shop_onboarding_moderation': {
      async up(db: Kysely<unknown>) {
        // Shops made before moderation existed were selling already: they stay active.
        //
        // Whether a product's shop is active is copied onto the product (shop_active, written in
        // the transaction that changes the shop's status, under the shop row's lock) because the
        // public lists filter on it: with the condition on the joined shop instead, PostgreSQL
        // began a page from the few active shops and sorted all their products (the EXPLAIN test in
        // catalog.test.ts). The partial indexes of every public sort order now cover only products
        // that are published in an active shop, so a page is still an index scan that stops after
        // `limit` rows, and a suspended shop's products cost a list nothing. The product's own
        // status is left as the seller set it: reinstating the shop restores exactly that.
        await sql`
          alter table catalog_shops
            add column status text not null default 'active' check (status in ('pending', 'active', 'suspended')),
            add column status_reason text,
            add column status_changed_at timestamptz,
            add column story text not null default '',
            add column shipping_policy text not null default '',
            add column returns_policy text not null default '',
            add column logo jsonb,
            add column banner jsonb;
          -- The console's shop list: newest first, all shops or those of one status.
          create index catalog_shops_newest on catalog_shops (created_at desc, id desc);
          create index catalog_shops_status_newest on catalog_shops (status, created_at desc, id desc);
          -- An operator's unpublish: the product is a draft with a note its seller reads, and stays
          -- one until the operator lifts the hold.
          alter table catalog_products
            add column moderation_note text,
            add column moderated_at timestamptz,
            add column shop_active boolean not null default true;

          drop index catalog_products_newest;
          drop index catalog_products_price;
          drop index catalog_products_shop_newest;
          drop index catalog_products_category_newest;
          create index catalog_products_newest on catalog_products (created_at desc, id desc) where status = 'published' and shop_active;
          create index catalog_products_price on catalog_products (price_min, id) where status = 'published' and shop_active;
          create index catalog_products_shop_newest on catalog_products (shop_id, created_at desc, id desc)
            where status = 'published' and shop_active;
          create index catalog_products_category_newest on catalog_products (category_id, created_at desc, id desc)
            where status = 'published' and shop_active;
        `.execute(db);
      },
    },
  },
};
