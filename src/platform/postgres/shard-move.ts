import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DatabaseHandle } from './database.ts';
import { changeShardMap, readShardMap, SHARD_FENCE_SQLSTATE, type ShardMapRow } from './shard-router.ts';
import { isBookkeepingTable, SHARD_TABLES, shardFamilies, type ShardTable } from './shard-move-tables.ts';

/**
 * `atelier shards move <logical> <database>`: moves one logical shard to another physical database
 * while it keeps serving. Why this shape (and not logical replication, which would copy whole
 * tables and needs publication rights on managed servers):
 *
 * 1. Capture. Row triggers on the source database, installed for the move only, log the key of
 *    every row of the moving shard that is written (platform_shard_changes, in the writer's own
 *    transaction, so a logged change is exactly a committed change).
 * 2. Bulk copy. Every key of the shard is copied in batches: a repeatable-read snapshot of the
 *    source, then a delete-and-insert of the whole family on the target (so copying a key twice,
 *    or a key the log names again, converges to the source's rows).
 * 3. Catch up. The log is drained (consumed by deleting it: a sequence watermark would skip a
 *    transaction that commits late with a lower number) and re-copied until little is left.
 * 4. Freeze. The map marks the shard 'frozen'; every node holds new connections for it and
 *    acknowledges once its open ones are back (shard-router.ts). The mover then takes the shard's
 *    advisory lock exclusively: the capture trigger takes it shared, so this waits for any writer
 *    still in flight on the source (a node that missed the freeze, a script) and holds off new
 *    ones. The rest of the log is copied, the source is fenced (a late writer that gets the lock
 *    afterwards fails with SQLSTATE AT503 instead of writing to the old database), and the map is
 *    flipped to the target and thawed in one catalog transaction. Nodes reload on the NOTIFY and
 *    release the held connections to the new database.
 * 5. Clean up. Once the nodes acknowledge the flip, the triggers go and the shard's rows are
 *    deleted from the source in batches.
 *
 * A failure before the flip thaws the shard where it was and removes what was copied; one after
 * it leaves a correct map and rows on the source that `atelier shards cleanup` removes. Only one
 * move runs at a time (a session advisory lock on the catalog store).
 */

export type ShardDeps = Readonly<{
  catalog: DatabaseHandle;
  databases: ReadonlyArray<DatabaseHandle>;
  logicalShards: number;
}>;

export type MoveOptions = Readonly<{
  /** Keys copied per batch (a key is an order, an account, a cart...). */
  batchKeys?: number;
  /** Stop catching up and freeze once a pass copies no more keys than this. */
  freezeBelowKeys?: number;
  /** How long to wait for every live node to acknowledge a map change. */
  ackTimeoutMs?: number;
  /** How long the freeze may wait for writers already in flight on the source. */
  lockTimeoutMs?: number;
  /** Nodes whose heartbeat is older than this are not waited for. */
  nodeStaleMs?: number;
  progress?: (message: string) => void;
  /** Called as each phase starts (and with 'done'), for benchmarks that line their own timings up. */
  onPhase?: (phase: 'bulk-copy' | 'catch-up' | 'freeze' | 'cleanup' | 'done') => void;
  /** Test hook: runs after the bulk copy, before catching up. */
  afterBulkCopy?: () => Promise<void>;
}>;

export type MoveReport = Readonly<{
  logicalShard: number;
  from: string;
  to: string;
  /** Rows on the target after the move, per table. */
  rows: Record<string, number>;
  bulkKeys: number;
  catchUpPasses: number;
  tailKeys: number;
  /** From the map saying 'frozen' to the map naming the target. */
  freezeMs: number;
  totalMs: number;
  phasesMs: { bulkCopy: number; catchUp: number; freeze: number; cleanup: number };
  /** Within the freeze: waiting for the nodes' acknowledgements, for the shard's lock, copying the tail. */
  freezeStepsMs: { acks: number; lock: number; tail: number };
  /** Nodes that did not acknowledge the flip in time (they still find the data: the fence refuses their writes). */
  laggingNodes: string[];
}>;

export class ShardMoveError extends Error {
  override name = 'ShardMoveError';
}

const MOVE_LOCK_SQL = `hashtext('atelier.shard_move')`;
const UUID_SHARD_RE = '[0-9a-f]{8}-[0-9a-f]{4}-7([0-9a-f]{3})-';

export const hexOfShard = (logical: number) => logical.toString(16).padStart(3, '0');

type Columns = Map<string, { insertable: string[]; keyType: 'uuid' | 'text' }>;

/** The logical shard of a key, in SQL: the id's rand_a field, or that of the first id in a text key. */
function shardExpr(table: ShardTable, columns: Columns): string {
  const key = `"${table.key}"`;
  return columns.get(table.table)!.keyType === 'uuid' ? `substr(${key}::text, 16, 3)` : `substring(${key} from '${UUID_SHARD_RE}')`;
}

async function tablesOf(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(db);
  return rows.map((r) => r.name);
}

/** Refuses a shard database holding a table the mover does not know (it would be left behind). */
async function checkTables(handle: DatabaseHandle): Promise<void> {
  const known = new Set(SHARD_TABLES.map((t) => t.table));
  const present = await tablesOf(handle.db);
  const unknown = present.filter((t) => !known.has(t) && !isBookkeepingTable(t));
  if (unknown.length > 0) {
    throw new ShardMoveError(
      `database "${handle.name}" holds tables the shard mover does not know: ${unknown.join(', ')} (add them to src/platform/postgres/shard-move-tables.ts)`,
    );
  }
  const missing = SHARD_TABLES.filter((t) => !present.includes(t.table)).map((t) => t.table);
  if (missing.length > 0) throw new ShardMoveError(`database "${handle.name}" lacks ${missing.join(', ')}: run \`atelier migrate\` first`);
}

async function readColumns(db: Kysely<unknown>): Promise<Columns> {
  const { rows } = await sql<{
    table_name: string;
    column_name: string;
    udt_name: string;
    identity_generation: string | null;
    is_generated: string;
  }>`
    select table_name, column_name, udt_name, identity_generation, is_generated
    from information_schema.columns
    where table_schema = 'public' and table_name = any(${SHARD_TABLES.map((t) => t.table)})
    order by table_name, ordinal_position`.execute(db);
  const columns: Columns = new Map();
  for (const t of SHARD_TABLES) {
    const own = rows.filter((r) => r.table_name === t.table);
    const key = own.find((r) => r.column_name === t.key);
    if (!key) throw new ShardMoveError(`${t.table} has no column ${t.key}`);
    columns.set(t.table, {
      // Identity columns ALWAYS generated are renumbered by the target (order_events.id).
      insertable: own.filter((r) => r.is_generated === 'NEVER' && r.identity_generation !== 'ALWAYS').map((r) => r.column_name),
      keyType: key.udt_name === 'uuid' ? 'uuid' : 'text',
    });
  }
  return columns;
}

/** Every key of the logical shard in one family's tables on a database. */
async function keysOf(client: pg.PoolClient, family: ShardTable[], columns: Columns, hex: string): Promise<string[]> {
  const keys = new Set<string>();
  for (const t of family) {
    const { rows } = await client.query<{ k: string }>(
      `select distinct "${t.key}"::text as k from "${t.table}" where ${shardExpr(t, columns)} = $1`,
      [hex],
    );
    for (const r of rows) keys.add(r.k);
  }
  return [...keys];
}

const keyArray = (t: ShardTable, columns: Columns) => (columns.get(t.table)!.keyType === 'uuid' ? 'uuid[]' : 'text[]');

/**
 * Writes that copy or remove whole families run with session_replication_role = replica, as a
 * pg_dump restore or logical replication would: foreign-key checks and triggers are skipped,
 * which is safe because a family is always written parents first and deleted children first, whole.
 * Without it, deleting sub-orders checks order_lines.sub_order_id, which has no index: one scan of
 * order_lines per sub-order, hours for a big shard. The setting needs superuser (or SET privilege
 * on the parameter); without it the checks simply run (slower, same result). The connection is
 * destroyed rather than returned to the pool if the setting cannot be put back.
 */
async function withFamilyWriter<T>(handle: DatabaseHandle, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await handle.pool.connect();
  let replica = false;
  try {
    await client.query('set session_replication_role = replica');
    replica = true;
  } catch {
    // not permitted here: foreign keys are checked as usual
  }
  let broken: Error | undefined;
  try {
    return await fn(client);
  } finally {
    if (replica) {
      await client.query('reset session_replication_role').catch((err: unknown) => {
        broken = err as Error;
      });
    }
    client.release(broken);
  }
}

/**
 * Makes the target hold exactly the source's rows for these keys of one family: reads them in one
 * snapshot (so children match parents), then deletes and inserts on the target in one transaction.
 */
async function copyKeys(
  source: DatabaseHandle,
  target: DatabaseHandle,
  family: ShardTable[],
  columns: Columns,
  keys: string[],
  fresh = false,
): Promise<number> {
  if (keys.length === 0) return 0;
  return writeFamily(target, family, columns, keys, await readFamily(source, family, columns, keys), fresh);
}

/** The rows of these keys in every table of the family, as JSON arrays, from one snapshot. */
async function readFamily(source: DatabaseHandle, family: ShardTable[], columns: Columns, keys: string[]): Promise<string[]> {
  const payloads: string[] = [];
  const src = await source.pool.connect();
  try {
    await src.query('begin isolation level repeatable read read only');
    for (const t of family) {
      const order = t.orderBy ?? t.key;
      const { rows } = await src.query<{ rows: string }>(
        `select coalesce(jsonb_agg(to_jsonb(x) order by x."${order}"), '[]')::text as rows
         from "${t.table}" x where x."${t.key}" = any($1::${keyArray(t, columns)})`,
        [keys],
      );
      payloads.push(rows[0]!.rows);
    }
    await src.query('commit');
  } catch (err) {
    await src.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    src.release();
  }
  return payloads;
}

/** Replaces the target's rows of these keys by the payloads (`fresh`: the target has none yet). */
async function writeFamily(
  target: DatabaseHandle,
  family: ShardTable[],
  columns: Columns,
  keys: string[],
  payloads: string[],
  fresh: boolean,
): Promise<number> {
  return withFamilyWriter(target, async (dst) => {
    let copied = 0;
    await dst.query('begin');
    try {
      for (const t of fresh ? [] : [...family].reverse()) {
        await dst.query(`delete from "${t.table}" where "${t.key}" = any($1::${keyArray(t, columns)})`, [keys]);
      }
      for (const [i, t] of family.entries()) {
        if (payloads[i] === '[]') continue;
        const cols = columns
          .get(t.table)!
          .insertable.map((c) => `"${c}"`)
          .join(', ');
        const res = await dst.query(
          `insert into "${t.table}" (${cols})
           select ${cols} from jsonb_populate_recordset(null::"${t.table}", $1::jsonb) with ordinality as r order by r.ordinality`,
          [payloads[i]],
        );
        copied += res.rowCount ?? 0;
      }
      await dst.query('commit');
    } catch (err) {
      await dst.query('rollback').catch(() => undefined);
      throw err;
    }
    return copied;
  });
}

/** Deletes every row of the logical shard from a database, children first, in batches of keys. */
export async function deleteShardRows(handle: DatabaseHandle, logical: number, batchKeys = 1000): Promise<number> {
  const columns = await readColumns(handle.db);
  const hex = hexOfShard(logical);
  let deleted = 0;
  await withFamilyWriter(handle, async (client) => {
    for (const family of shardFamilies().values()) {
      const keys = await keysOf(client, family, columns, hex);
      for (let i = 0; i < keys.length; i += batchKeys) {
        const batch = keys.slice(i, i + batchKeys);
        await client.query('begin');
        try {
          for (const t of [...family].reverse()) {
            const res = await client.query(`delete from "${t.table}" where "${t.key}" = any($1::${keyArray(t, columns)})`, [batch]);
            deleted += res.rowCount ?? 0;
          }
          await client.query('commit');
        } catch (err) {
          await client.query('rollback').catch(() => undefined);
          throw err;
        }
      }
    }
  });
  return deleted;
}

/** The capture trigger's function and the mover's tables on a source database. */
async function installCapture(source: DatabaseHandle, logical: number, lockTimeoutMs: number): Promise<void> {
  const hex = hexOfShard(logical);
  const client = await source.pool.connect();
  try {
    // Creating a trigger waits for writers already in the table; never queue behind one for long.
    await client.query(`set lock_timeout = ${Math.max(100, lockTimeoutMs)}`);
    await client.query(`
      create table if not exists platform_shard_changes (
        seq bigint generated always as identity primary key,
        logical_shard integer not null,
        family text not null,
        key text not null
      );
      create index if not exists platform_shard_changes_shard on platform_shard_changes (logical_shard, seq);
      create table if not exists platform_shard_fence (
        logical_shard integer primary key,
        moved_to text not null,
        fenced_at timestamptz not null default now()
      );
      -- Arguments: family, key column, the shard as 3 hex digits, the shard number.
      create or replace function platform_shard_move_capture() returns trigger language plpgsql as $fn$
      declare
        new_key text;
        old_key text;
        shard integer := TG_ARGV[3]::integer;
      begin
        if TG_OP <> 'INSERT' then old_key := to_jsonb(OLD) ->> TG_ARGV[1]; end if;
        if TG_OP <> 'DELETE' then new_key := to_jsonb(NEW) ->> TG_ARGV[1]; end if;
        if substring(new_key from '${UUID_SHARD_RE}') is distinct from TG_ARGV[2]
           and substring(old_key from '${UUID_SHARD_RE}') is distinct from TG_ARGV[2] then
          return null;
        end if;
        -- Shared here, exclusive while the mover copies the tail: a writer either commits before
        -- the freeze (and is copied) or waits for it and then meets the fence.
        perform pg_advisory_xact_lock_shared(hashtext('atelier.shard_move'), shard);
        if exists (select 1 from platform_shard_fence f where f.logical_shard = shard) then
          raise exception 'logical shard % has moved to database %', shard,
            (select moved_to from platform_shard_fence f where f.logical_shard = shard)
            using errcode = '${SHARD_FENCE_SQLSTATE}';
        end if;
        insert into platform_shard_changes (logical_shard, family, key)
        select distinct shard, TG_ARGV[0], k from unnest(array[new_key, old_key]) as k
        where substring(k from '${UUID_SHARD_RE}') = TG_ARGV[2];
        return null;
      end
      $fn$;
    `);
    await client.query('delete from platform_shard_changes where logical_shard = $1', [logical]);
    await client.query('delete from platform_shard_fence where logical_shard = $1', [logical]);
    // Writers queue behind a trigger's table lock while it waits for the ones in flight: a short
    // lock timeout and retries bound that stall (2.3 s seen in the bench with a 3 s timeout).
    await client.query('set lock_timeout = 200');
    for (const t of SHARD_TABLES) {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query('begin');
          await client.query(`drop trigger if exists platform_shard_move_${logical} on "${t.table}"`);
          await client.query(
            `create trigger platform_shard_move_${logical} after insert or update or delete on "${t.table}"
             for each row execute function platform_shard_move_capture('${t.family}', '${t.key}', '${hex}', '${logical}')`,
          );
          await client.query('commit');
          break;
        } catch (err) {
          await client.query('rollback').catch(() => undefined);
          if ((err as { code?: string }).code !== '55P03' || attempt * 200 >= lockTimeoutMs * 5) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  } finally {
    await client.query('reset lock_timeout').catch(() => undefined);
    client.release();
  }
}

async function removeCapture(source: DatabaseHandle, logical: number): Promise<void> {
  const client = await source.pool.connect();
  try {
    for (const t of SHARD_TABLES) await client.query(`drop trigger if exists platform_shard_move_${logical} on "${t.table}"`);
    if ((await tablesOf(source.db)).includes('platform_shard_changes')) {
      await client.query('delete from platform_shard_changes where logical_shard = $1', [logical]);
      await client.query('delete from platform_shard_fence where logical_shard = $1', [logical]);
    }
  } finally {
    client.release();
  }
}

/** Takes the logged changes (deleting them) and copies their keys; returns how many keys. */
async function drainChanges(
  source: DatabaseHandle,
  target: DatabaseHandle,
  logical: number,
  columns: Columns,
  batchKeys: number,
): Promise<number> {
  const { rows } = await source.pool.query<{ family: string; keys: string[] }>(
    `with taken as (delete from platform_shard_changes where logical_shard = $1 returning family, key)
     select family, array_agg(distinct key) as keys from taken group by family`,
    [logical],
  );
  const families = shardFamilies();
  // Families are independent of each other (no foreign key crosses them): copied side by side,
  // which is what keeps the tail, copied while the shard is frozen, short.
  const counts = await Promise.all(
    rows.map(async (r) => {
      const family = families.get(r.family);
      if (!family) throw new ShardMoveError(`the change log names an unknown family ${r.family}`);
      for (let i = 0; i < r.keys.length; i += batchKeys) await copyKeys(source, target, family, columns, r.keys.slice(i, i + batchKeys));
      return r.keys.length;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function liveNodes(
  catalog: Kysely<unknown>,
  staleMs: number,
): Promise<Array<{ node_id: string; role: string; map_version: number; databases: string[] }>> {
  const { rows } = await sql<{ node_id: string; role: string; map_version: number; databases: string[] }>`
    select node_id, role, map_version, databases from platform_shard_nodes
    where seen_at > now() - make_interval(secs => ${staleMs / 1000})`.execute(catalog);
  return rows;
}

/** Waits until every live node serves by `version` or later; returns those that did not in time. */
async function waitForAcks(catalog: Kysely<unknown>, version: number, timeoutMs: number, staleMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lagging = (await liveNodes(catalog, staleMs)).filter((n) => Number(n.map_version) < version);
    if (lagging.length === 0) return [];
    if (Date.now() > deadline) return lagging.map((n) => `${n.node_id} (${n.role}, map ${n.map_version})`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

async function countShardRows(handle: DatabaseHandle, logical: number, columns: Columns): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of SHARD_TABLES) {
    const { rows } = await handle.pool.query<{ n: number }>(
      `select count(*)::int as n from "${t.table}" where ${shardExpr(t, columns)} = $1`,
      [hexOfShard(logical)],
    );
    counts[t.table] = rows[0]!.n;
  }
  return counts;
}

export async function moveShard(deps: ShardDeps, logical: number, targetName: string, options: MoveOptions = {}): Promise<MoveReport> {
  const batchKeys = options.batchKeys ?? 500;
  const freezeBelow = options.freezeBelowKeys ?? 200;
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  const lockTimeoutMs = options.lockTimeoutMs ?? 3000;
  const staleMs = options.nodeStaleMs ?? 5000;
  const say = options.progress ?? (() => undefined);
  const started = Date.now();

  if (!Number.isInteger(logical) || logical < 0 || logical >= deps.logicalShards) {
    throw new ShardMoveError(`logical shard must be a whole number from 0 to ${deps.logicalShards - 1} (got ${logical})`);
  }
  const byName = new Map(deps.databases.map((d) => [d.name, d]));
  const found = byName.get(targetName);
  if (!found)
    throw new ShardMoveError(
      `no shard database named "${targetName}" is configured (SHARD_DATABASE_URLS names ${[...byName.keys()].join(', ')})`,
    );

  const target: DatabaseHandle = found;

  // One move at a time: held for the whole run on a connection of its own.
  const moverLock = await deps.catalog.pool.connect();
  try {
    const { rows: got } = await moverLock.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('atelier.shard_mover')) as ok`);
    if (!got[0]!.ok) throw new ShardMoveError('another shard move is running');
    try {
      return await moveLocked();
    } finally {
      await moverLock.query(`select pg_advisory_unlock(hashtext('atelier.shard_mover'))`).catch(() => undefined);
    }
  } finally {
    moverLock.release();
  }

  async function moveLocked(): Promise<MoveReport> {
    const map = await readShardMap(deps.catalog.db);
    const row = map.rows[logical]!;
    const source = byName.get(row.database);
    if (!source) throw new ShardMoveError(`the map places logical shard ${logical} on "${row.database}", which is not configured here`);
    if (source === target) throw new ShardMoveError(`logical shard ${logical} is already on ${targetName}`);
    if (row.state !== 'serving') {
      // Only a mover that died mid-freeze leaves this (we hold the only mover lock): thaw it.
      say(`logical shard ${logical} was left frozen by an interrupted move; thawing it first`);
      await changeShardMap(deps.catalog.db, logical, { state: 'serving' });
    }
    // Nodes that stopped without saying goodbye (a crash) are forgotten after an hour.
    await sql`delete from platform_shard_nodes where seen_at < now() - interval '1 hour'`.execute(deps.catalog.db);
    const blind = (await liveNodes(deps.catalog.db, staleMs)).filter((n) => !n.databases.includes(targetName));
    if (blind.length > 0) {
      throw new ShardMoveError(
        `these running nodes are not configured with database "${targetName}" (add it to SHARD_DATABASE_URLS and restart them first): ${blind.map((n) => n.node_id).join(', ')}`,
      );
    }
    await checkTables(source);
    await checkTables(target);
    const columns = await readColumns(target.db);
    const hex = hexOfShard(logical);
    const families = shardFamilies();

    say(`moving logical shard ${logical} from ${source.name} to ${target.name}`);
    // Leftovers of an interrupted move to this target are not served by anyone: start clean.
    await removeCapture(target, logical);
    await deleteShardRows(target, logical, batchKeys);
    await installCapture(source, logical, lockTimeoutMs);

    let frozen = false;
    let flipped = false;
    const phases = { bulkCopy: 0, catchUp: 0, freeze: 0, cleanup: 0 };
    const freezeSteps = { acks: 0, lock: 0, tail: 0 };
    let bulkKeys = 0;
    let passes = 0;
    let tailKeys = 0;
    let laggingNodes: string[] = [];
    let fenceClient: pg.PoolClient | null = null;
    try {
      let t0 = Date.now();
      options.onPhase?.('bulk-copy');
      const reader = await source.pool.connect();
      try {
        for (const [name, family] of families) {
          const keys = await keysOf(reader, family, columns, hex);
          // The target holds nothing of the shard yet (purged above; the log covers later writes), and
          // the next batch is read while this one is written.
          let writing: Promise<number> = Promise.resolve(0);
          for (let i = 0; i < keys.length; i += batchKeys) {
            const batch = keys.slice(i, i + batchKeys);
            const payloads = await readFamily(source, family, columns, batch);
            await writing;
            writing = writeFamily(target, family, columns, batch, payloads, true);
            writing.catch(() => undefined);
          }
          await writing;
          bulkKeys += keys.length;
          if (keys.length > 0) say(`copied ${keys.length} ${name} keys`);
        }
      } finally {
        reader.release();
      }
      phases.bulkCopy = Date.now() - t0;
      await options.afterBulkCopy?.();

      t0 = Date.now();
      options.onPhase?.('catch-up');
      for (passes = 1; passes <= 50; passes++) {
        const n = await drainChanges(source, target, logical, columns, batchKeys);
        if (n <= freezeBelow) break;
      }
      phases.catchUp = Date.now() - t0;
      say(`caught up in ${passes} passes; freezing`);

      // ---- the freeze: as short as we can make it ----
      t0 = Date.now();
      options.onPhase?.('freeze');
      const frozenVersion = await changeShardMap(deps.catalog.db, logical, { state: 'frozen' });
      frozen = true;
      const notFrozen = await waitForAcks(deps.catalog.db, frozenVersion, ackTimeoutMs, staleMs);
      freezeSteps.acks = Date.now() - t0;
      if (notFrozen.length > 0) say(`nodes that did not confirm the freeze in time (the fence covers them): ${notFrozen.join(', ')}`);
      const fence = (fenceClient = await source.pool.connect());
      await fence.query(`set lock_timeout = ${lockTimeoutMs}`);
      try {
        await fence.query(`select pg_advisory_lock(${MOVE_LOCK_SQL}, $1)`, [logical]);
        freezeSteps.lock = Date.now() - t0 - freezeSteps.acks;
      } catch (err) {
        throw new ShardMoveError(
          `writers on logical shard ${logical} did not finish within ${lockTimeoutMs} ms: ${(err as Error).message}`,
        );
      }
      try {
        // The tail in as few round trips as possible: one batch per family.
        tailKeys = await drainChanges(source, target, logical, columns, Math.max(batchKeys, 5000));
        freezeSteps.tail = Date.now() - t0 - freezeSteps.acks - freezeSteps.lock;
        await fence.query(`insert into platform_shard_fence (logical_shard, moved_to) values ($1, $2)`, [logical, target.name]);
        await changeShardMap(deps.catalog.db, logical, { database: target.name, state: 'serving' });
        flipped = true;
      } finally {
        await fence.query(`select pg_advisory_unlock(${MOVE_LOCK_SQL}, $1)`, [logical]).catch(() => undefined);
      }
      phases.freeze = Date.now() - t0;
      say(
        `flipped the map after a ${phases.freeze} ms freeze (nodes confirmed in ${freezeSteps.acks} ms, lock in ${freezeSteps.lock} ms, ` +
          `${tailKeys} keys of tail in ${freezeSteps.tail} ms)`,
      );
    } catch (err) {
      if (!flipped) {
        say(`move failed, putting logical shard ${logical} back: ${(err as Error).message}`);
        if (frozen) await changeShardMap(deps.catalog.db, logical, { state: 'serving' }).catch(() => undefined);
        await removeCapture(source, logical).catch(() => undefined);
        await deleteShardRows(target, logical, batchKeys).catch(() => undefined);
      }
      throw err;
    } finally {
      if (fenceClient) {
        await fenceClient.query('reset lock_timeout').catch(() => undefined);
        fenceClient.release();
      }
    }

    // ---- clean up: the map is right from here on, whatever fails ----
    const t0 = Date.now();
    options.onPhase?.('cleanup');
    const flipVersion = (await readShardMap(deps.catalog.db)).version;
    laggingNodes = await waitForAcks(deps.catalog.db, flipVersion, ackTimeoutMs, staleMs);
    if (laggingNodes.length > 0) say(`nodes that did not confirm the new map in time: ${laggingNodes.join(', ')}`);
    await removeCapture(source, logical);
    const deleted = await deleteShardRows(source, logical, batchKeys);
    phases.cleanup = Date.now() - t0;
    say(`deleted ${deleted} rows of logical shard ${logical} from ${source.name}`);
    const rows = await countShardRows(target, logical, columns);
    options.onPhase?.('done');
    return {
      logicalShard: logical,
      from: source.name,
      to: target.name,
      rows,
      bulkKeys,
      catchUpPasses: passes,
      tailKeys,
      freezeMs: phases.freeze,
      totalMs: Date.now() - started,
      phasesMs: phases,
      freezeStepsMs: freezeSteps,
      laggingNodes,
    };
  }
}

/**
 * Repairs what an interrupted move leaves: thaws the shard if a dead mover left it frozen, and
 * removes its rows and capture triggers from every database the map does not place it on.
 * Refuses while a move is running.
 */
export async function cleanupShard(deps: ShardDeps, logical: number): Promise<Record<string, number>> {
  if (!Number.isInteger(logical) || logical < 0 || logical >= deps.logicalShards) {
    throw new ShardMoveError(`logical shard must be a whole number from 0 to ${deps.logicalShards - 1} (got ${logical})`);
  }
  const lock = await deps.catalog.pool.connect();
  try {
    const { rows: got } = await lock.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('atelier.shard_mover')) as ok`);
    if (!got[0]!.ok) throw new ShardMoveError('a shard move is running; clean up after it');
    try {
      const row = (await readShardMap(deps.catalog.db)).rows[logical]!;
      if (row.state !== 'serving') await changeShardMap(deps.catalog.db, logical, { state: 'serving' });
      const deleted: Record<string, number> = {};
      for (const handle of deps.databases) {
        if (handle.name === row.database) continue;
        await removeCapture(handle, logical);
        deleted[handle.name] = await deleteShardRows(handle, logical);
      }
      return deleted;
    } finally {
      await lock.query(`select pg_advisory_unlock(hashtext('atelier.shard_mover'))`).catch(() => undefined);
    }
  } finally {
    lock.release();
  }
}

export type ShardStatus = Readonly<{
  version: number;
  map: ShardMapRow[];
  /** Rows per physical database and table, and per logical shard within them. */
  databases: Array<{ database: string; tables: Array<{ table: string; rows: number; byShard: Record<number, number> }> }>;
  /** Rows of a logical shard on a database the map does not place it on (left by an interrupted move). */
  stray: Array<{ database: string; logicalShard: number; rows: number }>;
  nodes: Array<{ nodeId: string; role: string; mapVersion: number; seenSecondsAgo: number }>;
}>;

/** What `atelier shards status` shows: placement, row counts, strays, and the nodes serving. */
export async function shardStatus(deps: ShardDeps): Promise<ShardStatus> {
  const map = await readShardMap(deps.catalog.db);
  const databases: ShardStatus['databases'] = [];
  const stray: ShardStatus['stray'] = [];
  for (const handle of deps.databases) {
    const present = new Set(await tablesOf(handle.db));
    const columns = await readColumns(handle.db).catch(() => null);
    const tables: ShardStatus['databases'][number]['tables'] = [];
    const strays = new Map<number, number>();
    for (const t of SHARD_TABLES) {
      if (!present.has(t.table) || !columns) continue;
      // One scan per table gives the total and the split by logical shard.
      const { rows } = await handle.pool.query<{ s: string | null; n: number }>(
        `select ${shardExpr(t, columns)} as s, count(*)::int as n from "${t.table}" group by 1`,
      );
      const byShard: Record<number, number> = {};
      let total = 0;
      for (const r of rows) {
        total += r.n;
        if (r.s === null) continue;
        const shard = parseInt(r.s, 16);
        byShard[shard] = (byShard[shard] ?? 0) + r.n;
        if (map.rows[shard]?.database !== handle.name) strays.set(shard, (strays.get(shard) ?? 0) + r.n);
      }
      tables.push({ table: t.table, rows: total, byShard });
    }
    databases.push({ database: handle.name, tables });
    for (const [logicalShard, rows] of strays) stray.push({ database: handle.name, logicalShard, rows });
  }
  return { version: map.version, map: map.rows, databases, stray, nodes: await readShardNodes(deps.catalog.db) };
}

/** The nodes serving by the shard map (their heartbeats), most recently seen first. */
export async function readShardNodes(catalog: Kysely<unknown>): Promise<ShardStatus['nodes']> {
  const { rows: nodes } = await sql<{ node_id: string; role: string; map_version: number; age: number }>`
    select node_id, role, map_version, extract(epoch from now() - seen_at)::float8 as age
    from platform_shard_nodes order by seen_at desc`.execute(catalog);
  return nodes.map((n) => ({
    nodeId: n.node_id,
    role: n.role,
    mapVersion: Number(n.map_version),
    seenSecondsAgo: Math.round(n.age * 10) / 10,
  }));
}

/** The status as the text tables the command prints. */
export function formatShardStatus(status: ShardStatus): string {
  const pad = (cells: Array<string | number>, widths: number[]) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines: string[] = [`shard map version ${status.version}`, ''];
  const roots = ['identity_accounts', 'cart_lines', 'orders'];
  const count = (database: string, table: string, shard: number) =>
    status.databases.find((d) => d.database === database)?.tables.find((t) => t.table === table)?.byShard[shard] ?? 0;
  const total = (database: string, shard: number) =>
    status.databases.find((d) => d.database === database)?.tables.reduce((sum, t) => sum + (t.byShard[shard] ?? 0), 0) ?? 0;
  const w1 = [7, Math.max(8, ...status.map.map((r) => r.database.length)), 7, 9, 10, 8, 8];
  lines.push(pad(['logical', 'database', 'state', 'accounts', 'cart lines', 'orders', 'rows'], w1));
  for (const r of status.map) {
    lines.push(
      pad(
        [r.logicalShard, r.database, r.state, ...roots.map((t) => count(r.database, t, r.logicalShard)), total(r.database, r.logicalShard)],
        w1,
      ),
    );
  }
  lines.push('');
  const tableNames = SHARD_TABLES.map((t) => t.table);
  const w2 = [Math.max(...tableNames.map((t) => t.length)), ...status.databases.map((d) => Math.max(8, d.database.length))];
  lines.push(pad(['table', ...status.databases.map((d) => d.database)], w2));
  for (const name of tableNames) {
    lines.push(pad([name, ...status.databases.map((d) => d.tables.find((t) => t.table === name)?.rows ?? '-')], w2));
  }
  lines.push(pad(['logical shards', ...status.databases.map((d) => status.map.filter((r) => r.database === d.database).length)], w2));
  if (status.stray.length > 0) {
    lines.push('', 'rows left on a database that does not hold their shard (`atelier shards cleanup <logical>` removes them):');
    for (const s of status.stray) lines.push(`  logical shard ${s.logicalShard} on ${s.database}: ${s.rows} rows`);
  }
  lines.push('', `nodes: ${status.nodes.length === 0 ? 'none running' : ''}`);
  for (const n of status.nodes) lines.push(`  ${n.nodeId} (${n.role}) map ${n.mapVersion}, seen ${n.seenSecondsAgo} s ago`);
  return lines.join('\n');
}
