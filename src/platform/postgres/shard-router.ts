import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Kysely, PostgresDialect, sql, type Generated, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { DomainError } from '../../shared/errors.ts';
import { shardOfId } from '../../shared/ids.ts';
import type { DatabaseHandle } from './database.ts';

/**
 * Customer data is placed into a fixed number of logical shards; the shard map, persisted in the
 * catalog store, assigns each logical shard to a physical database by name. Routing an id costs no
 * lookup: the id carries its logical shard (shared/ids.ts) and the map is held in memory.
 *
 * The map changes while nodes run (`atelier shards move`, shard-move.ts). Each logical shard has
 * its own Kysely whose pool picks the physical database at the moment a connection is taken, so
 * every module, which only ever writes through `forId(id).db` / `forShard(n).db`, follows a move
 * without knowing about it:
 * - in the normal state that costs a field read per connection, no query;
 * - while a move copies a shard's tail the map marks it 'frozen': new connections for that shard
 *   wait (a short wait inside the request, not an error) until the map names the new database,
 *   and a node acknowledges a freeze only once its connections already open on that shard are
 *   back, so the mover knows no node still writes to the old database;
 * - a freeze that lasts longer than `freezeWaitMs` answers 503 SHARD_MOVING (Retry-After).
 * Nodes learn of a change by LISTEN/NOTIFY on the catalog store within milliseconds, and by a
 * poll (also their heartbeat) every `pollMs` when a notification is missed.
 */
export type ShardRouter = Readonly<{
  logicalShards: number;
  /** Every physical shard database, in configuration order. */
  databases: ReadonlyArray<DatabaseHandle>;
  /** The database holding a logical shard; its `db` follows the map if the shard moves. */
  forShard(logicalShard: number): DatabaseHandle;
  /** The database holding a row whose id was minted by `newShardedId` or `newCustomerId`. */
  forId(id: string): DatabaseHandle;
  /**
   * One database for several logical shards that the map places on the same physical database
   * now (checkout's group commit writes the orders of many customers in one transaction). A
   * connection taken through it waits while any of them is frozen and counts as open on each of
   * them, so a move waits for it as for a connection of that shard; if the shards are no longer
   * on one database when the connection is taken, taking it fails with `SHARDS_APART` and nothing
   * is written. The handle is made per call: keep it for one transaction.
   */
  forShards(logicalShards: readonly number[]): DatabaseHandle;
  placement(): ReadonlyMap<number, string>;
  /** Logical shards a move holds frozen right now. */
  frozen(): ReadonlySet<number>;
  /** The map version this node serves by. */
  version(): number;
  /** Re-read the map from the catalog store (done by itself on every change when watching). */
  reload(): Promise<void>;
  /** Stops watching the map and removes this node from the list a mover waits for. */
  close(): Promise<void>;
}>;

export type ShardRouterOptions = Readonly<{
  /** Watch the map (LISTEN + poll) and acknowledge changes as a node: every serving process. */
  watch?: { role: string; pollMs?: number } | null;
  /** How long a connection waits for a frozen shard before the request answers 503. */
  freezeWaitMs?: number;
  /** How long a node waits for its open connections on a frozen shard before acknowledging anyway is refused. */
  drainWaitMs?: number;
  log?: Logger;
}>;

export const SHARD_MAP_CHANNEL = 'atelier_shard_map';

type ShardMapTables = {
  platform_shard_map: { logical_shard: number; database_name: string; state: Generated<'serving' | 'frozen'>; updated_at: Date };
  platform_settings: { key: string; value: string };
  platform_shard_nodes: { node_id: string; role: string; map_version: number; databases: string[]; seen_at: Date };
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

export type ShardMapRow = Readonly<{ logicalShard: number; database: string; state: 'serving' | 'frozen' }>;

/** The persisted map and its version, read in one snapshot. */
export async function readShardMap(catalog: Kysely<unknown>): Promise<{ version: number; rows: ShardMapRow[] }> {
  const { rows } = await sql<{ logical_shard: number; database_name: string; state: 'serving' | 'frozen'; version: string }>`
    select m.logical_shard, m.database_name, m.state,
           (select value from platform_settings where key = 'shard_map_version') as version
    from platform_shard_map m order by m.logical_shard`.execute(catalog);
  return {
    version: Number(rows[0]?.version ?? 0),
    rows: rows.map((r) => ({ logicalShard: r.logical_shard, database: r.database_name, state: r.state })),
  };
}

/**
 * Changes the map in one catalog transaction: bumps the version and notifies every node (NOTIFY
 * is delivered at commit, so no node reloads before the change is visible). Returns the version.
 */
export async function changeShardMap(
  catalog: Kysely<unknown>,
  logicalShard: number,
  change: { database?: string; state: 'serving' | 'frozen' },
): Promise<number> {
  return catalog.transaction().execute(async (trx) => {
    const { rows } = await sql<{ value: string }>`
      update platform_settings set value = (value::bigint + 1)::text where key = 'shard_map_version' returning value`.execute(trx);
    const version = Number(rows[0]!.value);
    await sql`update platform_shard_map set state = ${change.state}, updated_at = now()
              ${change.database ? sql`, database_name = ${change.database}` : sql``}
              where logical_shard = ${logicalShard}`.execute(trx);
    await sql`select pg_notify(${SHARD_MAP_CHANNEL}, ${String(version)})`.execute(trx);
    return version;
  });
}

/** Connections a logical shard's pool has handed out and not yet had back. */
type Gate = { inFlight: number; frozen: boolean; waiters: Array<() => void> };

/** A physical client as a logical shard's pool hands it out; `out` while checked out. */
type Lease = PostgresPoolClient & { out: boolean };

export async function openShardRouter(
  catalog: DatabaseHandle,
  logicalShards: number,
  databases: ReadonlyArray<DatabaseHandle>,
  options: ShardRouterOptions = {},
): Promise<ShardRouter> {
  const log = options.log;
  const freezeWaitMs = options.freezeWaitMs ?? 5000;
  const drainWaitMs = options.drainWaitMs ?? 5000;
  const byName = new Map(databases.map((d) => [d.name, d]));
  const gates: Gate[] = Array.from({ length: logicalShards }, () => ({ inFlight: 0, frozen: false, waiters: [] }));
  let physical: DatabaseHandle[] = [];
  let handles: DatabaseHandle[] = [];
  let placement = new Map<number, string>();
  let version = 0;
  let closed = false;

  /** Waits until the shard is no longer frozen, or gives up with a 503 after `freezeWaitMs`. */
  function waitThaw(shard: number): Promise<void> {
    const gate = gates[shard]!;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        gate.waiters = gate.waiters.filter((w) => w !== done);
        reject(
          new DomainError(
            'unavailable',
            'SHARD_MOVING',
            'This customer data is being moved to another database; retry in a moment',
            undefined,
            {
              logicalShard: shard,
            },
          ),
        );
      }, freezeWaitMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      gate.waiters.push(done);
    });
  }

  /**
   * The shard's own pool: takes a connection from whichever physical database the map names now.
   * Every query outside a transaction takes a connection, so this is the hot path: the wrapper of
   * a physical client is made once per client and logical shard, and reused on every checkout.
   * Kysely keeps its own connection object per client object it is handed (a WeakMap), so a fresh
   * wrapper per checkout would also cost a new Kysely connection per query.
   */
  function routingPool(shards: readonly number[]): PostgresPool {
    const own = shards.map((n) => gates[n]!);
    const leases = new WeakMap<pg.PoolClient, Lease>();
    // A write that reached the old database after the move fenced it (a node that missed the
    // freeze): the client may retry, the data is on the new database already.
    const fenced = (err: unknown) => Promise.reject(translateFence(err, shards[0]!));
    const leaseOf = (client: pg.PoolClient): Lease => {
      const lease: Lease = {
        out: false,
        query: ((...args: unknown[]) => {
          const result = (client.query as (...a: unknown[]) => unknown)(...args);
          return result instanceof Promise ? result.catch(fenced) : result;
        }) as PostgresPoolClient['query'],
        release() {
          // Once per checkout: a second release must not count the gates down again.
          if (!lease.out) return;
          lease.out = false;
          for (const gate of own) gate.inFlight--;
          client.release();
        },
      };
      leases.set(client, lease);
      return lease;
    };
    return {
      async connect(): Promise<PostgresPoolClient> {
        for (let i = own.findIndex((g) => g.frozen); i >= 0; i = own.findIndex((g) => g.frozen)) await waitThaw(shards[i]!);
        const target = physical[shards[0]!]!;
        if (shards.some((n) => physical[n] !== target)) throw shardsApart(shards);
        for (const gate of own) gate.inFlight++;
        let client: pg.PoolClient;
        try {
          client = await target.pool.connect();
        } catch (err) {
          for (const gate of own) gate.inFlight--;
          throw err;
        }
        const lease = leases.get(client) ?? leaseOf(client);
        lease.out = true;
        return lease;
      },
      // The physical pools are closed with the stores; a logical shard owns nothing to end.
      end: async () => undefined,
    };
  }
  const logicalDbs = Array.from(
    { length: logicalShards },
    (_, i) => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: routingPool([i]) }) }),
  );

  let reloading: Promise<void> | null = null;
  let reloadAgain = false;
  async function applyMap(): Promise<void> {
    const map = await readShardMap(catalog.db);
    if (map.rows.length !== logicalShards) {
      throw new Error(`the shard map has ${map.rows.length} logical shards, expected ${logicalShards}`);
    }
    const nextPhysical: DatabaseHandle[] = [];
    for (const row of map.rows) {
      const handle = byName.get(row.database);
      if (!handle) {
        throw new Error(
          `the shard map places logical shard ${row.logicalShard} on database "${row.database}", which SHARD_DATABASE_URLS does not name`,
        );
      }
      nextPhysical[row.logicalShard] = handle;
    }
    physical = nextPhysical;
    handles = nextPhysical.map((h, i) => Object.freeze({ name: h.name, url: h.url, pool: h.pool, db: logicalDbs[i]! }));
    placement = new Map(map.rows.map((r) => [r.logicalShard, r.database]));
    for (const row of map.rows) {
      const gate = gates[row.logicalShard]!;
      gate.frozen = row.state === 'frozen';
      if (!gate.frozen && gate.waiters.length > 0) {
        const waiting = gate.waiters;
        gate.waiters = [];
        for (const w of waiting) w();
      }
    }
    version = map.version;
  }

  /** One reload at a time; a change announced during a reload triggers one more. */
  function reload(): Promise<void> {
    if (reloading) {
      reloadAgain = true;
      return reloading;
    }
    reloading = (async () => {
      try {
        do {
          reloadAgain = false;
          await applyMap();
        } while (reloadAgain);
      } finally {
        reloading = null;
      }
    })();
    return reloading;
  }

  await applyMap();

  const router: ShardRouter = {
    logicalShards,
    databases,
    forShard(logicalShard) {
      const handle = handles[logicalShard];
      if (!handle) throw new RangeError(`no database for logical shard ${logicalShard}`);
      return handle;
    },
    forId: (id) => router.forShard(shardOfId(id)),
    forShards(logicalShards) {
      const set = [...new Set(logicalShards)].sort((a, b) => a - b);
      if (set.length === 1) return router.forShard(set[0]!);
      const first = router.forShard(set[0]!);
      if (set.some((n) => physical[n] !== physical[set[0]!])) throw shardsApart(set);
      return Object.freeze({ ...first, db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool: routingPool(set) }) }) });
    },
    placement: () => placement,
    frozen: () => new Set(gates.flatMap((g, i) => (g.frozen ? [i] : []))),
    version: () => version,
    reload,
    close: async () => {
      closed = true;
    },
  };
  if (!options.watch) return router;

  // ---- watching: LISTEN for prompt changes, poll as heartbeat and fallback, acknowledge ----
  const nodeId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const role = options.watch.role;
  const pollMs = options.watch.pollMs ?? 1000;
  let acked = 0;
  let listener: pg.Client | null = null;
  let pollTimer: NodeJS.Timeout | null = null;

  /** Acknowledges the map version once no connection of this node is still open on a frozen shard. */
  async function acknowledge(): Promise<void> {
    const serving = version;
    const deadline = Date.now() + drainWaitMs;
    while (gates.some((g) => g.frozen && g.inFlight > 0)) {
      if (Date.now() > deadline || closed) {
        log?.warn({ version: serving }, 'connections on a frozen shard did not finish in time; not acknowledging the freeze');
        return;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    if (serving <= acked) return;
    acked = serving;
    await heartbeat();
  }

  async function heartbeat(): Promise<number> {
    const { rows } = await sql<{ version: string }>`
      insert into platform_shard_nodes (node_id, role, map_version, databases, seen_at)
      values (${nodeId}, ${role}, ${acked}, ${databases.map((d) => d.name)}, now())
      on conflict (node_id) do update set map_version = excluded.map_version, seen_at = now()
      returning (select value from platform_settings where key = 'shard_map_version') as version`.execute(catalog.db);
    return Number(rows[0]!.version);
  }

  async function onChange(): Promise<void> {
    try {
      await reload();
      await acknowledge();
    } catch (err) {
      // A map this node cannot follow (a database it is not configured with) keeps the old one
      // and stays unacknowledged, so a mover sees and names the node instead of trusting it.
      log?.error({ err }, 'could not apply the new shard map');
    }
  }

  async function listen(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: catalog.url, application_name: `atelier-${role}-shardmap` });
    client.on('error', (err) => {
      log?.warn({ err }, 'shard map listener lost its connection; reconnecting');
      if (listener === client) listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => void listen().catch(() => undefined), 1000).unref();
    });
    client.on('notification', () => void onChange());
    await client.connect();
    await client.query(`listen ${SHARD_MAP_CHANNEL}`);
    if (closed) {
      await client.end();
      return;
    }
    listener = client;
    // Anything that changed while (re)connecting.
    void onChange();
  }

  async function poll(): Promise<void> {
    try {
      const latest = await heartbeat();
      if (latest !== version) await onChange();
    } catch (err) {
      log?.warn({ err }, 'shard map heartbeat failed');
    } finally {
      if (!closed) pollTimer = setTimeout(() => void poll(), pollMs).unref();
    }
  }

  acked = version;
  await heartbeat();
  await listen();
  pollTimer = setTimeout(() => void poll(), pollMs).unref();

  return {
    ...router,
    async close() {
      closed = true;
      if (pollTimer) clearTimeout(pollTimer);
      await listener?.end().catch(() => undefined);
      listener = null;
      await sql`delete from platform_shard_nodes where node_id = ${nodeId}`.execute(catalog.db).catch(() => undefined);
    },
  };
}

/** SQLSTATE raised by the move fence on the old database (shard-move.ts). */
export const SHARD_FENCE_SQLSTATE = 'AT503';

function shardsApart(shards: readonly number[]): DomainError {
  return new DomainError(
    'unavailable',
    'SHARDS_APART',
    'These logical shards are not on one database (one has just moved); retry',
    undefined,
    {
      logicalShards: [...shards],
    },
  );
}

function translateFence(err: unknown, shard: number): Error {
  if ((err as { code?: string } | null)?.code !== SHARD_FENCE_SQLSTATE) return err as Error;
  return new DomainError('unavailable', 'SHARD_MOVING', 'This customer data has just moved to another database; retry', undefined, {
    logicalShard: shard,
  });
}
