import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * Accounts and sessions live in every shard database (a customer's data sits with the customer);
 * the catalog store keeps only the email index, because log-in by email must find the shard before
 * it knows the account id.
 */
export const identityMigrations: ModuleMigrations = {
  module: 'identity',
  catalog: {
    '0001_email_index': {
      async up(db: Kysely<unknown>) {
        // The primary key is what makes an email unique across all shards: sign-up claims it here first.
        await sql`
          create table identity_email_index (
            email text primary key check (email = lower(email)),
            account_id uuid not null,
            created_at timestamptz not null default now()
          );
        `.execute(db);
      },
    },
  },
  shard: {
    '0001_accounts_sessions': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table identity_accounts (
            id uuid primary key,
            email text not null unique check (email = lower(email)),
            name text not null,
            role text not null check (role in ('customer', 'seller', 'admin')),
            password_hash text not null,
            created_at timestamptz not null default now()
          );
          create table identity_sessions (
            id uuid primary key,
            account_id uuid not null references identity_accounts (id) on delete cascade,
            token_hash bytea not null unique check (octet_length(token_hash) = 32),
            created_at timestamptz not null default now(),
            last_seen_at timestamptz not null default now(),
            expires_at timestamptz not null,
            revoked_at timestamptz
          );
          -- "My sessions" lists the live sessions of one account.
          create index identity_sessions_account_live on identity_sessions (account_id, created_at desc) where revoked_at is null;
        `.execute(db);
      },
    },
    '0002_verification_reset_devices': {
      async up(db: Kysely<unknown>) {
        await sql`
          -- Accounts made before verification existed were in use already: they count as verified
          -- rather than lose what they could do.
          alter table identity_accounts add column email_verified_at timestamptz;
          update identity_accounts set email_verified_at = created_at;
          -- When the holder last proved the password (log-in or re-authentication), and the idle
          -- limit the session got for its account's role when it began.
          alter table identity_sessions
            add column authenticated_at timestamptz not null default now(),
            add column idle_minutes int;
          -- Single-use tokens sent by email; only their SHA-256 is kept, as for sessions.
          create table identity_tokens (
            id uuid primary key,
            account_id uuid not null references identity_accounts (id) on delete cascade,
            purpose text not null check (purpose in ('verify_email', 'reset_password')),
            token_hash bytea not null unique check (octet_length(token_hash) = 32),
            created_at timestamptz not null default now(),
            expires_at timestamptz not null,
            used_at timestamptz
          );
          create index identity_tokens_account_live on identity_tokens (account_id, purpose) where used_at is null;
          -- Browsers that signed in to an account before: exempt from its hourly guess cap, so an
          -- attacker spending the cap does not lock the owner out.
          create table identity_devices (
            token_hash bytea primary key check (octet_length(token_hash) = 32),
            account_id uuid not null references identity_accounts (id) on delete cascade,
            created_at timestamptz not null default now()
          );
          create index identity_devices_account on identity_devices (account_id);
        `.execute(db);
      },
    },
  },
};
