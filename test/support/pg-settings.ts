/**
 * Server settings every test database runs with, whichever server holds it: the embedded one
 * `npm test` starts gets them as `postgres -c` flags, and each database test support creates gets
 * them with `ALTER DATABASE ... SET`, so an external server named by TEST_PG_ADMIN_URL applies them
 * too (a session reads a database's settings when it connects).
 *
 * plan_cache_mode=force_generic_plan: the app runs its statements as named prepared statements
 * (platform/postgres/prepared-statements.ts), which PostgreSQL plans with the parameters' values for
 * five runs and may then switch to one generic plan. A statement that only works with a custom plan
 * (ON CONFLICT on a partial index matched through parameters, issue 13) passed every test and broke
 * in production on its sixth run; generic from the first run, such a statement fails in its test.
 */
export const TEST_PG_SETTINGS: Readonly<Record<string, string>> = {
  plan_cache_mode: 'force_generic_plan',
};

/** As `postgres -c name=value` arguments (startEmbeddedPostgres's `settings`). */
export const testServerFlags = (): string[] => Object.entries(TEST_PG_SETTINGS).map(([k, v]) => `${k}=${v}`);

/** The statements that give one database the settings (run on the admin connection after creating it). */
export const alterDatabaseStatements = (quotedName: string): string[] =>
  Object.entries(TEST_PG_SETTINGS).map(([k, v]) => `alter database ${quotedName} set ${k} = '${v}'`);
