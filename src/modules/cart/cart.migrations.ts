import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import { MAX_LINE_QUANTITY } from './cart.types.ts';

/**
 * Cart lines live in the owner's shard: an account's cart with the account, a guest cart on the
 * shard its guest id was minted for. The owner kind is part of the key, so a guest cookie set to
 * someone's account id names an empty guest cart, never that account's cart.
 */
export const cartMigrations: ModuleMigrations = {
  module: 'cart',
  shard: {
    '0001_cart_lines': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table cart_lines (
            owner_id uuid not null,
            owner_kind text not null check (owner_kind in ('account', 'guest')),
            variant_id uuid not null,
            quantity int not null check (quantity between 1 and ${sql.lit(MAX_LINE_QUANTITY)}),
            added_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            primary key (owner_id, owner_kind, variant_id)
          );
          -- Old guest carts are found by age for clean-up.
          create index cart_lines_guest_age on cart_lines (updated_at) where owner_kind = 'guest';
        `.execute(db);
      },
    },
  },
};
