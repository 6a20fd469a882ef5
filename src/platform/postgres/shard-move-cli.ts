import type { Logger } from 'pino';
import { assembleStores, closeDatabases, openDatabases, type StoreSettings } from './stores.ts';
import { cleanupShard, formatShardStatus, moveShard, ShardMoveError, shardStatus } from './shard-move.ts';

export const SHARDS_USAGE = `atelier shards <subcommand>

  status [--json]              logical shard -> database, rows per table and database, running nodes
  move <logical> <database>    move a logical shard to another configured database while it serves
  cleanup <logical>            remove rows of a shard left on databases that do not hold it

A new physical database: add it to SHARD_DATABASE_URLS on every node, run \`atelier migrate\`,
restart the nodes, then move logical shards onto it.`;

/**
 * `atelier shards ...`: the operator's view of the shard map and the online move (shard-move.ts).
 * Runs as the 'shards' role, which reads the map but is not a node a move waits for. Returns the
 * exit code: 0 done, 1 the move failed (the shard is left serving where it was), 2 bad usage.
 */
export async function runShardsCommand(
  settings: StoreSettings,
  args: readonly string[],
  opts: { json: boolean; log: Logger },
): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || !['status', 'move', 'cleanup'].includes(sub)) {
    console.error(sub ? `unknown shards subcommand "${sub}"\n\n${SHARDS_USAGE}` : SHARDS_USAGE);
    return 2;
  }
  const logicalArg = rest[0];
  const logical = logicalArg !== undefined && /^\d+$/.test(logicalArg) ? Number(logicalArg) : NaN;
  if (sub !== 'status' && (Number.isNaN(logical) || (sub === 'move' && !rest[1]))) {
    console.error(`usage: atelier shards ${sub === 'move' ? 'move <logical> <database>' : 'cleanup <logical>'}`);
    return 2;
  }

  const opened = await openDatabases(settings, opts.log, 'shards');
  try {
    let stores;
    try {
      stores = await assembleStores(settings, opened, opts.log);
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') {
        console.error('the shard map does not exist yet: run `atelier migrate` first');
        return 1;
      }
      throw err;
    }
    const deps = { catalog: stores.catalog, databases: stores.shards.databases, logicalShards: settings.logicalShards };
    switch (sub) {
      case 'status': {
        const status = await shardStatus(deps);
        console.log(opts.json ? JSON.stringify(status, null, 2) : formatShardStatus(status));
        return 0;
      }
      case 'cleanup': {
        const deleted = await cleanupShard(deps, logical);
        console.log(
          opts.json
            ? JSON.stringify(deleted)
            : Object.entries(deleted)
                .map(([db, n]) => `${db}: deleted ${n} rows`)
                .join('\n') || 'nothing to clean',
        );
        return 0;
      }
      default: {
        const report = await moveShard(deps, logical, rest[1]!, {
          progress: opts.json ? undefined : (message) => console.log(`${new Date().toISOString()}  ${message}`),
        });
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else {
          console.log(
            `moved logical shard ${report.logicalShard} from ${report.from} to ${report.to} in ${report.totalMs} ms; ` +
              `writes were held for ${report.freezeMs} ms (${report.tailKeys} keys copied while frozen)`,
          );
          for (const [table, n] of Object.entries(report.rows)) if (n > 0) console.log(`  ${table}: ${n} rows`);
          if (report.laggingNodes.length > 0) console.log(`nodes that had not confirmed the new map: ${report.laggingNodes.join(', ')}`);
        }
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof ShardMoveError) {
      console.error(`shards ${sub}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await closeDatabases(opened);
  }
}
