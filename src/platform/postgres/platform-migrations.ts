import { sql, type Kysely } from 'kysely';
import type { ModuleMigrations } from './migrations.ts';

/** Tables the platform itself keeps in the catalog store: settings and the shard map. */
export const platformMigrations: ModuleMigrations = {
  module: 'platform',
  catalog: {
    '0001_shard_map': {
      async up(db: Kysely<unknown>) {
        await sql`
          create table platform_settings (key text primary key, value text not null);
          create table platform_shard_map (
            logical_shard integer primary key check (logical_shard >= 0),
            database_name text not null,
            updated_at timestamptz not null default now()
          );
        `.execute(db);
      },
    },
  },
};
