import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * Reporting's tables, in the catalog store. Read models are fed from every database (orders are
 * paid on the shards, stock runs low in the catalog) and read across all sellers (platform
 * figures), so they need one home that is not a customer shard; the catalog store is the one
 * shared database we have. They could move to a database of their own by configuration later: no
 * query joins them with another module's tables.
 *
 * Every figure table is a sum or a "latest by time" value, so applying a set of events gives the
 * same rows in any order: incremental jobs (which run in any order) and a rebuild (which replays
 * in log order) agree.
 */
export const reportingMigrations: ModuleMigrations = {
  module: 'reporting',
  catalog: {
    '0001_read_models': {
      async up(db: Kysely<unknown>) {
        await sql`
          -- One row per (event, subscriber) applied, written in the transaction that applies it:
          -- a redelivered or replayed event finds its row and changes nothing.
          create table reporting_processed_events (
            event_id uuid not null,
            subscriber text not null,
            processed_at timestamptz not null default now(),
            primary key (event_id, subscriber)
          );

          create table reporting_seller_daily (
            seller_id uuid not null,
            day date not null,
            currency text not null,
            orders integer not null,
            revenue bigint not null,
            primary key (seller_id, day, currency)
          );

          create table reporting_seller_products (
            seller_id uuid not null,
            day date not null,
            product_id uuid not null,
            currency text not null,
            units bigint not null,
            revenue bigint not null,
            primary key (seller_id, day, product_id, currency)
          );

          -- The title last seen for a product (looked up in the catalog when an order is applied).
          create table reporting_product_titles (
            product_id uuid primary key,
            title text not null
          );

          -- The latest stock.low per variant.
          create table reporting_stock_alerts (
            variant_id uuid primary key,
            seller_id uuid not null,
            product_id uuid not null,
            sku text not null,
            available integer not null,
            threshold integer not null,
            raised_at timestamptz not null,
            event_id uuid not null
          );
          create index reporting_stock_alerts_seller on reporting_stock_alerts (seller_id, raised_at desc);

          create table reporting_platform_minutes (
            minute timestamptz not null,
            currency text not null,
            orders integer not null,
            gross bigint not null,
            primary key (minute, currency)
          );

          create table reporting_platform_daily (
            day date not null,
            currency text not null,
            orders integer not null,
            gross bigint not null,
            primary key (day, currency)
          );

          -- Facts for the cart-to-order conversion, computed at read time (see reporting.queries.ts).
          create table reporting_customer_orders (
            order_id uuid primary key,
            customer_id uuid not null,
            paid_at timestamptz not null
          );
          create index reporting_customer_orders_customer on reporting_customer_orders (customer_id, paid_at);

          create table reporting_cart_starts (
            event_id uuid primary key,
            owner_id uuid not null,
            owner_kind text not null check (owner_kind in ('account', 'guest')),
            started_at timestamptz not null,
            merged_guest_id uuid,
            into_open_cart boolean not null
          );
          create index reporting_cart_starts_time on reporting_cart_starts (started_at) where merged_guest_id is null;
          create index reporting_cart_starts_owner on reporting_cart_starts (owner_id, started_at) where merged_guest_id is null;
          create index reporting_cart_starts_merged on reporting_cart_starts (merged_guest_id, started_at) where merged_guest_id is not null;

          -- Not a read model (never rebuilt): the CSV exports sellers asked for.
          create table reporting_exports (
            id uuid primary key,
            seller_id uuid not null,
            kind text not null check (kind in ('orders')),
            status text not null check (status in ('pending', 'running', 'ready', 'failed')),
            row_count integer,
            bytes bigint,
            error text,
            created_at timestamptz not null default now(),
            finished_at timestamptz
          );
          create index reporting_exports_seller on reporting_exports (seller_id, created_at desc);
          -- One export of a kind in flight per seller: asking again while it runs returns it.
          create unique index reporting_exports_one_open on reporting_exports (seller_id, kind) where status in ('pending', 'running');
        `.execute(db);
      },
    },
  },
};

/** The read-model tables a rebuild empties and refills (not the exports). */
export const READ_MODEL_TABLES = [
  'reporting_processed_events',
  'reporting_seller_daily',
  'reporting_seller_products',
  'reporting_product_titles',
  'reporting_stock_alerts',
  'reporting_platform_minutes',
  'reporting_platform_daily',
  'reporting_customer_orders',
  'reporting_cart_starts',
] as const;
