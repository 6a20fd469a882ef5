import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * Payment attempts live in the order's shard (an order id routes there), one row per call to the
 * provider that reached an outcome: the audit trail of what we asked and what we were told.
 */
export const paymentsMigrations: ModuleMigrations = {
  module: 'payments',
  shard: {
    '0001_payment_attempts': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table payment_attempts (
            id uuid primary key,
            order_id uuid not null,
            kind text not null check (kind in ('charge', 'refund')),
            -- The order id for a charge, the caller's refund key for a refund.
            idempotency_key text not null,
            provider_charge_id text,
            amount bigint not null check (amount > 0),
            currency text not null check (currency ~ '^[A-Z]{3}$'),
            status text not null check (status in ('succeeded', 'declined', 'unavailable')),
            error text,
            created_at timestamptz not null default now()
          );
          create index payment_attempts_order on payment_attempts (order_id, created_at);
        `.execute(db);
      },
    },
  },
};
