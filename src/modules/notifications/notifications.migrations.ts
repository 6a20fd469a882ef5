import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';

/**
 * The sent log lives in the shard of the order the email is about. Its primary key is what makes
 * an SMTP send happen once: the job checks it before sending and writes it after.
 */
export const notificationsMigrations: ModuleMigrations = {
  module: 'notifications',
  shard: {
    '0001_notifications_sent': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table notifications_sent (
            message_key text primary key,
            kind text not null,
            recipient text not null,
            sent_at timestamptz not null default now()
          );
        `.execute(db);
      },
    },
  },
};
