import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

const STATUS_CHECK = `('pending_payment', 'paid', 'fulfilled', 'shipped', 'delivered', 'payment_failed', 'cancelled', 'refunded')`;

/**
 * Orders live in the customer's shard (order ids carry it). The per-seller index lives in the
 * SELLER's shard, so a seller's list is one query on one database, never a scan of every shard.
 */
export const ordersMigrations: ModuleMigrations = {
  module: 'orders',
  shard: {
    '0001_orders': {
      async up(db: Kysely<unknown>) {
        await sql
          .raw(
            `
          create table orders (
            id uuid primary key,
            customer_id uuid not null,
            status text not null check (status in ${STATUS_CHECK}),
            currency text not null check (currency ~ '^[A-Z]{3}$'),
            total bigint not null check (total >= 0),
            shipping_address jsonb not null,
            payment_deadline timestamptz not null,
            charge_id text,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now()
          );
          -- A customer's order list, newest first (keyset on id: UUIDv7 ids are time-ordered).
          create index orders_customer on orders (customer_id, id desc);
          -- The sweeper's scan for orders stuck past their payment deadline.
          create index orders_pending_deadline on orders (payment_deadline) where status = 'pending_payment';

          create table sub_orders (
            id uuid primary key,
            order_id uuid not null references orders (id),
            shop_id uuid not null,
            shop_name text not null,
            seller_id uuid not null,
            status text not null check (status in ${STATUS_CHECK}),
            total bigint not null check (total >= 0),
            currency text not null,
            -- Bumped on every status change, so the seller index never goes back to an older state.
            version integer not null default 1,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now()
          );
          create index sub_orders_order on sub_orders (order_id);

          create table order_lines (
            order_id uuid not null references orders (id),
            variant_id uuid not null,
            sub_order_id uuid not null references sub_orders (id),
            product_id uuid not null,
            title text not null,
            sku text not null,
            options jsonb not null,
            unit_price bigint not null check (unit_price >= 0),
            quantity integer not null check (quantity between 1 and 50),
            primary key (order_id, variant_id)
          );

          create table order_events (
            id bigint generated always as identity primary key,
            order_id uuid not null references orders (id),
            sub_order_id uuid,
            from_status text,
            to_status text not null,
            actor text not null,
            created_at timestamptz not null default now()
          );
          create index order_events_order on order_events (order_id, id);

          -- The first answer to each (customer, Idempotency-Key), replayed byte for byte: kept as text
          -- because jsonb would reorder keys.
          create table orders_idempotency (
            customer_id uuid not null,
            key text not null,
            request_hash text not null,
            status_code integer not null,
            response text not null,
            created_at timestamptz not null default now(),
            primary key (customer_id, key)
          );
          create index orders_idempotency_created on orders_idempotency (created_at);

          create table orders_seller_index (
            seller_id uuid not null,
            sub_order_id uuid not null,
            order_id uuid not null,
            status text not null check (status in ${STATUS_CHECK}),
            total bigint not null,
            currency text not null,
            placed_at timestamptz not null,
            version integer not null,
            primary key (seller_id, sub_order_id)
          );
        `,
          )
          .execute(db);
      },
    },
    '0002_fulfilment': {
      async up(db: Kysely<unknown>) {
        await sql
          .raw(
            `
          -- What the seller did with the parcel (issue 15): when each move happened, and the
          -- shipment's carrier, tracking number and link. refunded_amount is the sum of the
          -- sub-order's succeeded refunds, kept beside the total so a list shows it without a sum.
          alter table sub_orders
            add column fulfilled_at timestamptz,
            add column shipped_at timestamptz,
            add column delivered_at timestamptz,
            add column carrier text,
            add column tracking_number text,
            add column tracking_url text,
            add column refunded_amount bigint not null default 0 check (refunded_amount >= 0),
            add constraint sub_orders_refund_within_total check (refunded_amount <= total);

          -- Every refund of a sub-order, full or partial, by amount or by lines. A row is written
          -- 'pending' (under the sub-order's row lock) before the provider is asked, so concurrent
          -- refunds see each other's amounts and can never together pass the total; 'succeeded' or
          -- 'failed' once the provider answered. The key (the client's Idempotency-Key, or 'full')
          -- makes a retried request find its refund instead of making a second one.
          create table order_refunds (
            id uuid primary key,
            order_id uuid not null references orders (id),
            sub_order_id uuid not null references sub_orders (id),
            idempotency_key text not null,
            request_hash text not null,
            provider_key text not null,
            amount bigint not null check (amount > 0),
            currency text not null,
            -- [{ variantId, quantity, amount }] for a refund by lines; [] for one by amount.
            lines jsonb not null default '[]',
            reason text,
            status text not null check (status in ('pending', 'succeeded', 'failed')),
            failure text,
            actor_id uuid not null,
            actor_role text not null,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now()
          );
          -- A failed refund moved no money, so its key may be tried again.
          create unique index order_refunds_key on order_refunds (sub_order_id, idempotency_key) where status <> 'failed';
          create index order_refunds_order on order_refunds (order_id, created_at);
          -- The sweeper's scan for refunds an outage left pending.
          create index order_refunds_pending on order_refunds (updated_at) where status = 'pending';
          -- The operator's search of a shop's orders (newest first), on every shard.
          create index sub_orders_shop on sub_orders (shop_id, order_id desc);
        `,
          )
          .execute(db);
      },
    },
  },
};
