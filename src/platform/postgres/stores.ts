import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.ts';
import { openReplicaSet, type ReplicaSet, type ReplicaSettings } from './replicas.ts';
import { initShardMap, openShardRouter, type ShardRouter } from './shard-router.ts';

/**
 * Where data lives (docs/architecture.md): the catalog store, and customer data spread over the physical
 * shard databases by the shard map. With no database URLs configured, all of it is databases in
 * one embedded PostgreSQL server.
 */
export type Stores = Readonly<{
  catalog: DatabaseHandle;
  /** Streaming replicas of the catalog store for reads that tolerate staleness (none by default). */
  catalogReplicas: ReplicaSet;
  shards: ShardRouter;
  /** Catalog first, then every physical shard database. */
  all(): ReadonlyArray<DatabaseHandle>;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}>;

export type StoreSettings = Readonly<{
  dataDir: string;
  embedded: { port: number } | null;
  catalogDatabaseUrl: string | null;
  shardDatabases: ReadonlyArray<{ name: string; url: string | null }>;
  logicalShards: number;
  pg: { poolMax: number; statementTimeoutMs: number; preparedStatements: boolean };
  catalogReplicas: ReplicaSettings;
}>;

export const EMBEDDED_CATALOG_DB = 'atelier_catalog';

export type OpenedDatabases = Readonly<{
  catalog: DatabaseHandle;
  catalogReplicas: ReplicaSet;
  shardDatabases: ReadonlyArray<DatabaseHandle>;
  embedded: EmbeddedServer | null;
  /** The process role ('api', 'worker', 'shards', ...): decides whether the shard map is watched. */
  role: string;
  /** Run before the pools close (the shard map watcher). */
  closers: Array<() => Promise<void>>;
}>;

/**
 * Roles that never serve customer traffic: they read the map once and are not nodes a shard move
 * waits for (the move tool itself, migrations).
 */
const UNWATCHED_ROLES = new Set(['shards', 'migrate']);

/**
 * Roles that serve no public catalog pages (the only reads sent to replicas): they open no replica
 * pools and run no probe loop. `start` serves pages and runs jobs, so it keeps them.
 */
const ROLES_WITHOUT_REPLICA_READS = new Set(['worker', 'migrate', 'seed', 'reporting', 'shards']);

/** Starts (or attaches to) the embedded server when needed and opens a pool per database. */
export async function openDatabases(settings: StoreSettings, log: Logger, role: string): Promise<OpenedDatabases> {
  let embedded: EmbeddedServer | null = null;
  const shardDbName = (name: string) => `atelier_${name}`;
  if (settings.embedded) {
    embedded = await startEmbeddedPostgres({
      dataDir: settings.dataDir,
      port: settings.embedded.port,
      databases: [EMBEDDED_CATALOG_DB, ...settings.shardDatabases.map((s) => shardDbName(s.name))],
      log,
    });
  }
  const open = (name: string, url: string) =>
    openDatabase({
      name,
      url,
      poolMax: settings.pg.poolMax,
      statementTimeoutMs: settings.pg.statementTimeoutMs,
      preparedStatements: settings.pg.preparedStatements,
      applicationName: `atelier-${role}`,
    });
  const catalog = open('catalog', embedded ? embedded.localUrlFor(EMBEDDED_CATALOG_DB) : settings.catalogDatabaseUrl!);
  const shardDatabases = settings.shardDatabases.map((s) => open(s.name, embedded ? embedded.localUrlFor(shardDbName(s.name)) : s.url!));
  const catalogReplicas = openReplicaSet({
    primary: catalog,
    settings: ROLES_WITHOUT_REPLICA_READS.has(role) ? { ...settings.catalogReplicas, urls: [] } : settings.catalogReplicas,
    poolMax: settings.pg.poolMax,
    statementTimeoutMs: settings.pg.statementTimeoutMs,
    preparedStatements: settings.pg.preparedStatements,
    applicationName: `atelier-${role}`,
    log,
  });
  return { catalog, catalogReplicas, shardDatabases, embedded, role, closers: [] };
}

/** Assembles the stores once the shard-map tables exist (after migrations). */
export async function assembleStores(settings: StoreSettings, opened: OpenedDatabases, log?: Logger): Promise<Stores> {
  await initShardMap(
    opened.catalog.db,
    settings.logicalShards,
    opened.shardDatabases.map((d) => d.name),
  );
  const shards = await openShardRouter(opened.catalog, settings.logicalShards, opened.shardDatabases, {
    watch: UNWATCHED_ROLES.has(opened.role) ? null : { role: opened.role },
    ...(log ? { log } : {}),
  });
  opened.closers.push(() => shards.close());
  return {
    catalog: opened.catalog,
    catalogReplicas: opened.catalogReplicas,
    shards,
    all: () => [opened.catalog, ...opened.shardDatabases],
    embedded: opened.embedded,
    close: () => closeDatabases(opened),
  };
}

export async function closeDatabases(opened: OpenedDatabases): Promise<void> {
  await Promise.allSettled(opened.closers.splice(0).map((close) => close()));
  await opened.catalogReplicas.close();
  await Promise.allSettled([opened.catalog, ...opened.shardDatabases].map((d) => d.db.destroy()));
  if (opened.embedded?.owned) await opened.embedded.stop();
}

export type { DatabaseHandle, Kysely };
