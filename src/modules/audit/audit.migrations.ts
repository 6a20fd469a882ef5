import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import { GENESIS_HASH } from './audit.chain.ts';

/**
 * The audit log lives in the catalog store, one chain for the whole marketplace (events from every
 * shard are appended here by the subscriber). Append-only by trigger: UPDATE, DELETE and TRUNCATE
 * are refused whoever asks through the application's connections; only a session that disables
 * triggers (the table's owner or a superuser, as an attacker with the database would) can change
 * a row, and then the hash chain shows it (`atelier audit verify`).
 */
export const auditMigrations: ModuleMigrations = {
  module: 'audit',
  catalog: {
    '0001_audit_log': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table audit_log (
            seq bigint primary key check (seq > 0),
            -- The audit.recorded event's id: at-least-once delivery, exactly one entry.
            event_id uuid not null unique,
            occurred_at timestamptz not null,
            recorded_at timestamptz not null default now(),
            actor_id text not null,
            actor_role text not null,
            action text not null,
            target_type text not null,
            target_id text not null,
            ip text,
            user_agent text,
            before jsonb,
            after jsonb,
            reason text,
            prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
            hash text not null check (hash ~ '^[0-9a-f]{64}$')
          );
          -- The console's searches, newest first (keyset on seq).
          create index audit_log_actor on audit_log (actor_id, seq desc);
          create index audit_log_action on audit_log (action, seq desc);
          create index audit_log_target on audit_log (target_type, target_id, seq desc);
          create index audit_log_occurred on audit_log (occurred_at);

          -- The chain's head, one row: appends lock it, so they take one order whatever the number
          -- of workers, and the verifier checks the last entry against it (a removed tail shows).
          create table audit_chain_head (
            id boolean primary key default true check (id),
            seq bigint not null,
            hash text not null
          );
          insert into audit_chain_head (seq, hash) values (0, ${sql.lit(GENESIS_HASH)});

          create function audit_log_refuse_change() returns trigger language plpgsql as $$
          begin
            raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
          end
          $$;
          create trigger audit_log_append_only before update or delete on audit_log
            for each row execute function audit_log_refuse_change();
          create trigger audit_log_no_truncate before truncate on audit_log
            for each statement execute function audit_log_refuse_change();

          -- The head only moves forward one entry at a time, and is never removed.
          create function audit_chain_head_forward() returns trigger language plpgsql as $$
          begin
            if tg_op <> 'UPDATE' or new.seq <> old.seq + 1 then
              raise exception 'audit_chain_head only advances by one entry: % refused', tg_op using errcode = 'insufficient_privilege';
            end if;
            return new;
          end
          $$;
          create trigger audit_chain_head_forward before update or delete on audit_chain_head
            for each row execute function audit_chain_head_forward();
          create trigger audit_chain_head_no_truncate before truncate on audit_chain_head
            for each statement execute function audit_log_refuse_change();
        `.execute(db);
      },
    },
  },
};
