import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * Stock and reservations, in the catalog store (next to the variants they count, but never joined
 * with them). The CHECK constraints are the last line of defence against overselling: whatever a
 * bug in the code does, PostgreSQL refuses a row where sold + reserved exceeds on_hand, or where a
 * counter goes negative. Counters are bigint so repeated restocks can never overflow.
 */
export const inventoryMigrations: ModuleMigrations = {
  module: 'inventory',
  catalog: {
    '0001_inventory': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table inventory_stock (
            variant_id uuid primary key,
            on_hand bigint not null default 0,
            reserved bigint not null default 0,
            sold bigint not null default 0,
            low_stock_threshold integer not null default 5,
            updated_at timestamptz not null default now(),
            constraint inventory_stock_on_hand_check check (on_hand >= 0),
            constraint inventory_stock_reserved_check check (reserved >= 0),
            constraint inventory_stock_sold_check check (sold >= 0),
            constraint inventory_stock_not_oversold check (sold + reserved <= on_hand),
            constraint inventory_stock_threshold_check check (low_stock_threshold >= 0)
          );

          create table inventory_reservations (
            order_id uuid not null,
            variant_id uuid not null,
            quantity integer not null check (quantity > 0),
            status text not null default 'reserved' check (status in ('reserved', 'committed', 'released')),
            expires_at timestamptz not null,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            primary key (order_id, variant_id)
          );
          -- The sweeper's question: live reservations past their expiry, oldest first.
          create index inventory_reservations_expiry on inventory_reservations (expires_at) where status = 'reserved';
        `.execute(db);
      },
    },
  },
};
