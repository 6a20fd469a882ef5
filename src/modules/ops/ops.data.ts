import type { ReplicaStatus } from '../../platform/postgres/replicas.ts';
import { readShardNodes, shardStatus } from '../../platform/postgres/shard-move.ts';
import { readShardMap } from '../../platform/postgres/shard-router.ts';
import type { Stores } from '../../platform/postgres/stores.ts';

/**
 * Where the data is: the shard map (which physical database holds each logical shard, and which
 * are frozen by a move), the nodes serving by it, and the catalog's read replicas with their lag
 * as this node measures them. The same figures as `atelier shards status` and GET /admin/replicas;
 * row counts only when asked, since they scan every sharded table.
 */
export type DataPlacement = Readonly<{
  shardMap: Readonly<{
    version: number;
    logicalShards: number;
    /** This node's map version (it follows changes within a second). */
    servedVersion: number;
    databases: Array<{ name: string; logicalShards: number[]; frozen: number[]; rows: Record<string, number> | null }>;
  }>;
  nodes: Array<{ nodeId: string; role: string; mapVersion: number; seenSecondsAgo: number }>;
  /** Rows of a logical shard left on a database the map does not place it on (an interrupted move), when counted. */
  stray: Array<{ database: string; logicalShard: number; rows: number }> | null;
  replicas: Readonly<{ enabled: boolean; maxLagMs: number; items: ReplicaStatus[] }>;
}>;

export async function dataPlacement(
  stores: Stores,
  settings: Readonly<{ maxLagMs: number }>,
  opts: Readonly<{ rows: boolean }>,
): Promise<DataPlacement> {
  const deps = { catalog: stores.catalog, databases: stores.shards.databases, logicalShards: stores.shards.logicalShards };
  const status = opts.rows ? await shardStatus(deps) : null;
  const map = status ? { version: status.version, rows: status.map } : await readShardMap(stores.catalog.db);
  const nodes = status ? status.nodes : await readShardNodes(stores.catalog.db);
  const databases = stores.shards.databases.map((handle) => {
    const mine = map.rows.filter((r) => r.database === handle.name);
    const counted = status?.databases.find((d) => d.database === handle.name);
    return {
      name: handle.name,
      logicalShards: mine.map((r) => r.logicalShard),
      frozen: mine.filter((r) => r.state === 'frozen').map((r) => r.logicalShard),
      rows: counted ? Object.fromEntries(counted.tables.map((t) => [t.table, t.rows])) : null,
    };
  });
  return {
    shardMap: { version: map.version, logicalShards: stores.shards.logicalShards, servedVersion: stores.shards.version(), databases },
    nodes,
    stray: status ? status.stray : null,
    replicas: { enabled: stores.catalogReplicas.enabled, maxLagMs: settings.maxLagMs, items: stores.catalogReplicas.status() },
  };
}
