import { sql, type Kysely } from 'kysely';
import { shardOfId } from '../../shared/ids.ts';
import type { DatabaseHandle } from './database.ts';

/**
 * Customer data is placed into a fixed number of logical shards; the shard map, persisted in the
 * catalog store, assigns each logical shard to a physical database by name. Routing an id costs no
 * lookup: the id carries its logical shard (shared/ids.ts) and the map is held in memory.
 */
export type ShardRouter = Readonly<{
  logicalShards: number;
  /** Every physical shard database, in configuration order. */
  databases: ReadonlyArray<DatabaseHandle>;
  forShard(logicalShard: number): DatabaseHandle;
  /** The database holding a row whose id was minted by `newShardedId` or `newCustomerId`. */
  forId(id: string): DatabaseHandle;
  placement(): ReadonlyMap<number, string>;
  /** Re-read the map from the catalog store (after a shard move). */
  reload(): Promise<void>;
}>;

type ShardMapTables = {
  platform_shard_map: { logical_shard: number; database_name: string; updated_at: Date };
  platform_settings: { key: string; value: string };
};

/**
 * Creates the map on first use (logical shard i on database i mod N) and checks that it still
 * fits the configuration: the number of logical shards can never change once data exists, and
 * every database the map names must be configured.
 */
export async function initShardMap(catalog: Kysely<unknown>, logicalShards: number, names: readonly string[]): Promise<void> {
  const db = catalog as Kysely<ShardMapTables>;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('atelier.shard_map'))`.execute(trx);
    const stored = await trx.selectFrom('platform_settings').select('value').where('key', '=', 'logical_shards').executeTakeFirst();
    if (stored && Number(stored.value) !== logicalShards) {
      throw new Error(
        `LOGICAL_SHARDS is ${logicalShards} but the data was placed with ${stored.value}; the number of logical shards cannot change (move shards instead)`,
      );
    }
    if (!stored) {
      await trx
        .insertInto('platform_settings')
        .values({ key: 'logical_shards', value: String(logicalShards) })
        .execute();
      const rows = Array.from({ length: logicalShards }, (_, i) => ({
        logical_shard: i,
        database_name: names[i % names.length]!,
        updated_at: new Date(),
      }));
      await trx.insertInto('platform_shard_map').values(rows).execute();
    }
  });
}

export async function openShardRouter(
  catalog: Kysely<unknown>,
  logicalShards: number,
  databases: ReadonlyArray<DatabaseHandle>,
): Promise<ShardRouter> {
  const byName = new Map(databases.map((d) => [d.name, d]));
  let table: DatabaseHandle[] = [];
  let placement = new Map<number, string>();

  async function reload(): Promise<void> {
    const rows = await (catalog as Kysely<ShardMapTables>)
      .selectFrom('platform_shard_map')
      .select(['logical_shard', 'database_name'])
      .orderBy('logical_shard')
      .execute();
    if (rows.length !== logicalShards) {
      throw new Error(`the shard map has ${rows.length} logical shards, expected ${logicalShards}`);
    }
    const next: DatabaseHandle[] = [];
    for (const row of rows) {
      const handle = byName.get(row.database_name);
      if (!handle) {
        throw new Error(
          `the shard map places logical shard ${row.logical_shard} on database "${row.database_name}", which SHARD_DATABASE_URLS does not name`,
        );
      }
      next[row.logical_shard] = handle;
    }
    table = next;
    placement = new Map(rows.map((r) => [r.logical_shard, r.database_name]));
  }
  await reload();

  function forShard(logicalShard: number): DatabaseHandle {
    const handle = table[logicalShard];
    if (!handle) throw new RangeError(`no database for logical shard ${logicalShard}`);
    return handle;
  }
  return {
    logicalShards,
    databases,
    forShard,
    forId: (id) => forShard(shardOfId(id)),
    placement: () => placement,
    reload,
  };
}
