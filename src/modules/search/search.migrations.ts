import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * The search read model, in the catalog store but owned by search: one row per product, rebuilt
 * from the catalog's public surface by event handlers. `document` holds the weighted text
 * (title A, shop and category names B, description C); `title_document` is the title alone, so
 * "does the title match" is an index lookup rather than a re-check of every matching row.
 * Both GIN indexes cover published rows only, which is all a search ever reads.
 */
export const searchMigrations: ModuleMigrations = {
  module: 'search',
  catalog: {
    '0001_search_documents': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table search_documents (
            product_id uuid primary key,
            shop_id uuid not null,
            category_id uuid,
            status text not null,
            title text not null,
            shop_slug text not null,
            shop_name text not null,
            price_min bigint not null,
            currency char(3) not null,
            image jsonb,
            created_at timestamptz not null,
            source_updated_at timestamptz not null,
            indexed_at timestamptz not null default now(),
            title_document tsvector not null,
            document tsvector not null
          );
          create index search_documents_document on search_documents using gin (document) where status = 'published';
          create index search_documents_title on search_documents using gin (title_document) where status = 'published';
          create index search_documents_shop on search_documents (shop_id);
        `.execute(db);
      },
    },
  },
};
