import { execFile as execFileCb } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { binaries, run, serverUser, startEmbeddedPostgres, type EmbeddedServer } from '../../src/platform/postgres/embedded-postgres.ts';
import { alterDatabaseStatements, testServerFlags } from './pg-settings.ts';
import { parseLsn } from '../../src/platform/postgres/replicas.lag.ts';
import { freePort } from './scratch-postgres.ts';

const execFile = promisify(execFileCb);

/**
 * A dedicated primary and a real streaming replica of it, for the replica tests (the shared test
 * server is left alone: pausing its replay or stopping it would disturb nobody, but copying it
 * would copy every other test's databases).
 *
 * The primary is an embedded server like the one `npm test` starts. The replica is PostgreSQL's
 * own streaming replication from the same binaries: a base backup through the documented
 * low-level API (`pg_backup_start`, a file copy, `pg_backup_stop` and its backup_label), because
 * the embedded package ships initdb, pg_ctl and postgres but no pg_basebackup (and a system
 * pg_basebackup of another major version refuses the server). A physical replication slot keeps
 * the WAL the replica still needs while it is stopped; `standby.signal` and `primary_conninfo`
 * make it stream. The defaults of initdb already allow it: wal_level=replica, max_wal_senders=10,
 * a `host replication all 127.0.0.1/32` line in pg_hba.conf, and the bootstrap superuser.
 */
export type ReplicatedPostgres = Readonly<{
  primaryUrl(database: string): string;
  replicaUrl(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** `pg_wal_replay_pause()` on the replica: it keeps receiving WAL but stops applying it. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the replica has replayed everything the primary has written so far. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  stop(): Promise<void>;
}>;

const SLOT = 'atelier_test_replica';
const USER = 'atelier';
const PASSWORD = 'atelier';

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What a base backup leaves out (PostgreSQL docs, "Making a Base Backup Using the Low Level API"). */
const SKIP_CONTENTS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_stat_tmp',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_subtrans',
]);
const SKIP_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'server.log',
  'backup_label',
  'tablespace_map',
  'standby.signal',
  'recovery.signal',
]);

async function copyDataDir(from: string, to: string): Promise<void> {
  await fs.cp(from, to, {
    recursive: true,
    preserveTimestamps: true,
    filter: (src) => {
      const rel = path.relative(from, src);
      if (rel === '') return true;
      const parts = rel.split(path.sep);
      if (parts.length === 1 && SKIP_FILES.has(parts[0]!)) return false;
      // The server's unix socket and its lock file live in the data folder (embedded-postgres.ts);
      // a socket cannot be copied, and the standby makes its own.
      if (parts.length === 1 && parts[0]!.startsWith('.s.PGSQL.')) return false;
      if (parts.length >= 2 && SKIP_CONTENTS.has(parts[0]!))
        return parts[0] === 'pg_wal' && parts[1] === 'archive_status' && parts.length === 2;
      return !parts[parts.length - 1]!.startsWith('pgsql_tmp');
    },
  });
  for (const dir of SKIP_CONTENTS) await fs.mkdir(path.join(to, dir), { recursive: true, mode: 0o700 });
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'atelier-replica-'));
  const log = pino({ level: 'warn' });
  const primary: EmbeddedServer = await startEmbeddedPostgres({
    dataDir: path.join(root, 'primary'),
    port: await freePort(),
    databases: [],
    log,
    settings: testServerFlags(),
  });
  // The primary's own binaries and server user (postgres, when we are root), so the two match.
  const user = await serverUser();
  const bin = await binaries();
  const replicaDir = path.join(root, 'replica', 'pg');
  const replicaPort = await freePort();
  const replicaUrl = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${replicaPort}/${db}`;
  const primaryAdmin = primary.urlFor('postgres');

  // The base backup. The session that starts it must be the one that stops it.
  const backup = new pg.Client({ connectionString: primaryAdmin });
  await backup.connect();
  try {
    await backup.query(`select pg_create_physical_replication_slot('${SLOT}', true)`);
    await backup.query(`select pg_backup_start('atelier-test-replica', true)`);
    await copyDataDir(primary.dataDir, replicaDir);
    const { rows } = await backup.query<{ labelfile: string; spcmapfile: string }>(
      'select labelfile, spcmapfile from pg_backup_stop(false)',
    );
    await fs.writeFile(path.join(replicaDir, 'backup_label'), rows[0]!.labelfile);
    if (rows[0]!.spcmapfile) await fs.writeFile(path.join(replicaDir, 'tablespace_map'), rows[0]!.spcmapfile);
  } finally {
    await backup.end();
  }
  await fs.writeFile(path.join(replicaDir, 'standby.signal'), '');
  await fs.appendFile(
    path.join(replicaDir, 'postgresql.auto.conf'),
    `\nprimary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${USER} password=${PASSWORD} application_name=${SLOT}'\nprimary_slot_name = '${SLOT}'\n`,
  );
  await fs.chmod(replicaDir, 0o700);
  if (user) await execFile('chown', ['-R', `${user.uid}:${user.gid}`, path.join(root, 'replica')]);

  // A hot standby needs at least the primary's max_connections (embedded-postgres.ts starts it with 400).
  const options = [`-p ${replicaPort}`, '-c listen_addresses=127.0.0.1', '-c max_connections=400', `-c unix_socket_directories=''`].join(
    ' ',
  );
  let replicaRunning = false;
  async function startReplica(): Promise<void> {
    await run(bin.pg_ctl, ['start', '-D', replicaDir, '-w', '-t', '60', '-l', path.join(replicaDir, 'server.log'), '-o', options], user);
    replicaRunning = true;
  }
  async function stopReplica(): Promise<void> {
    await run(bin.pg_ctl, ['stop', '-D', replicaDir, '-m', 'fast', '-w', '-t', '60'], user);
    replicaRunning = false;
  }
  await startReplica();

  async function waitForReplay(timeoutMs = 20_000): Promise<void> {
    const target = parseLsn((await query<{ lsn: string }>(primaryAdmin, 'select pg_current_wal_insert_lsn()::text as lsn'))[0]!.lsn);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = (await query<{ lsn: string | null }>(replicaUrl('postgres'), 'select pg_last_wal_replay_lsn()::text as lsn'))[0]!;
      if (row.lsn && parseLsn(row.lsn) >= target) return;
      if (Date.now() > deadline) throw new Error(`the replica did not reach ${target} within ${timeoutMs} ms (at ${row.lsn})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await waitForReplay();

  return {
    primaryUrl: (db) => primary.urlFor(db),
    replicaUrl,
    async createDatabase(name) {
      const quoted = `"${name.replace(/"/g, '')}"`;
      await query(primaryAdmin, `create database ${quoted}`);
      for (const stmt of alterDatabaseStatements(quoted)) await query(primaryAdmin, stmt);
    },
    async pauseReplay() {
      await query(replicaUrl('postgres'), 'select pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await query(replicaUrl('postgres'), 'select pg_wal_replay_resume()');
    },
    waitForReplay,
    stopReplica,
    startReplica,
    async stop() {
      if (replicaRunning) await stopReplica().catch(() => undefined);
      await primary.stop();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}
