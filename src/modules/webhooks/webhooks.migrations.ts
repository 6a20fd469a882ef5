import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * Webhook endpoints and their deliveries live in the SELLER's shard, next to the seller's account
 * and the per-seller order index: deliveries grow with paid orders, so they belong on the databases
 * that scale out (the catalog store is the one primary everyone shares), and a seller's list is one
 * query on one database. Endpoint and delivery ids are minted for the seller's logical shard, so the
 * delivery job finds its row by id alone (`stores.shards.forId`), also after a shard move. Every
 * table carries `seller_id`, the key the shard mover copies them by (shard-move-tables.ts).
 */
export const webhooksMigrations: ModuleMigrations = {
  module: 'webhooks',
  shard: {
    '0001_webhooks': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table webhook_endpoints (
            id uuid primary key,
            seller_id uuid not null,
            url text not null,
            event_types text[] not null,
            -- Needed in clear to sign each delivery; shown to the seller once, at registration.
            secret text not null,
            status text not null check (status in ('active', 'disabled')),
            -- The first failed attempt since the last success (null while healthy): an endpoint
            -- failing for the whole retry window is disabled.
            failing_since timestamptz,
            consecutive_failures integer not null default 0,
            last_success_at timestamptz,
            disabled_at timestamptz,
            -- The notice the seller reads in GET /seller/webhooks while it is disabled.
            disabled_reason text,
            created_at timestamptz not null default now()
          );
          create index webhook_endpoints_seller on webhook_endpoints (seller_id, id);

          create table webhook_deliveries (
            id uuid primary key,
            seller_id uuid not null,
            endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
            event_id uuid not null,
            event_type text not null,
            -- The exact JSON body, so every retry sends the same bytes.
            body text not null,
            -- pending: an attempt is scheduled; delivered: a 2xx came back; held: the endpoint is
            -- disabled, resumed when the seller enables it; failed: gave up after the retry window.
            status text not null check (status in ('pending', 'delivered', 'held', 'failed')),
            attempts integer not null default 0,
            next_attempt_at timestamptz,
            -- No attempt is scheduled past this (created + the retry window; reset on re-enable).
            retry_until timestamptz not null,
            last_status_code integer,
            last_error text,
            delivered_at timestamptz,
            created_at timestamptz not null default now(),
            -- One delivery per event and endpoint: a redelivered event finds its row.
            unique (event_id, endpoint_id)
          );
          create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, id desc);
          create index webhook_deliveries_held on webhook_deliveries (endpoint_id) where status = 'held';

          -- Every attempt, for the seller's debugging view (GET .../deliveries).
          create table webhook_delivery_attempts (
            delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
            attempt integer not null,
            seller_id uuid not null,
            attempted_at timestamptz not null,
            status_code integer,
            error text,
            duration_ms integer not null,
            primary key (delivery_id, attempt)
          );
        `.execute(db);
      },
    },
  },
};
