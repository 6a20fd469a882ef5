import { Migrator, sql, type Kysely, type Migration } from 'kysely';

/**
 * Each module owns its tables and its migrations, kept apart per kind of store: the catalog store
 * and every physical shard database. Each module has its own migration table, so modules evolve
 * independently and a failed migration names the module at fault.
 */
export type StoreKind = 'catalog' | 'shard';

export type ModuleMigrations = Readonly<{
  module: string;
  catalog?: Record<string, Migration>;
  shard?: Record<string, Migration>;
}>;

export async function migrateStore(
  db: Kysely<unknown>,
  kind: StoreKind,
  modules: ReadonlyArray<ModuleMigrations>,
  databaseName: string,
): Promise<string[]> {
  const applied: string[] = [];
  for (const m of modules) {
    const set = m[kind];
    if (!set) continue;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => set },
      migrationTableName: `migrations_${m.module}`,
      migrationLockTableName: `migrations_${m.module}_lock`,
    });
    const { error, results } = await migrator.migrateToLatest();
    for (const r of results ?? []) {
      if (r.status === 'Success') applied.push(`${databaseName}: ${m.module}/${r.migrationName}`);
    }
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(`migration ${m.module}/${failed} failed on ${databaseName}: ${String((error as Error).message ?? error)}`);
    }
  }
  return applied;
}

/** PostgreSQL's code for a relation that does not exist. */
const UNDEFINED_TABLE = '42P01';

/**
 * How many migrations of the modules are not applied on the database (0: current; for `/ready`).
 * A missing migrations table counts as none applied; any other error (the database unreachable)
 * is thrown, not read as pending.
 */
export async function pendingMigrations(db: Kysely<unknown>, kind: StoreKind, modules: ReadonlyArray<ModuleMigrations>): Promise<number> {
  let pending = 0;
  for (const m of modules) {
    const set = m[kind];
    if (!set) continue;
    const table = `migrations_${m.module}`;
    const names = Object.keys(set);
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db).catch((err: unknown) => {
      if ((err as { code?: string }).code === UNDEFINED_TABLE) return { rows: [] as { name: string }[] };
      throw err;
    });
    const done = new Set(rows.map((r) => r.name));
    pending += names.filter((n) => !done.has(n)).length;
  }
  return pending;
}
