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
    '0002_shard_moves': {
      async up(db: Kysely<unknown>) {
        // A logical shard is 'frozen' for the moment a move copies its tail: every node holds new
        // connections for it until the map names its new database (shard-move.ts). The version is
        // bumped with every change of the map, so a node knows when to reload and can say which
        // map it serves by (platform_shard_nodes, the acknowledgement a mover waits for).
        await sql`
          alter table platform_shard_map add column state text not null default 'serving' check (state in ('serving', 'frozen'));
          insert into platform_settings (key, value) values ('shard_map_version', '1') on conflict (key) do nothing;
          create table platform_shard_nodes (
            node_id text primary key,
            role text not null,
            map_version bigint not null,
            databases text[] not null,
            seen_at timestamptz not null default now()
          );
        `.execute(db);
      },
    },
  },
};
