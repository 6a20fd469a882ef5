import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import { isDomainError } from '../../shared/errors.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { formatLsn, isConnectionError, lsnAtLeast, parseLsn, WalTimeline } from './replicas.lag.ts';
import { withTimeout } from '../../shared/timeout.ts';

/**
 * Read replicas of the catalog store (docs/operations.md, Read replicas). Reads that tolerate staleness run on a
 * streaming replica picked round robin among the healthy ones; everything else, and any read a
 * replica cannot serve, runs on the primary. A request never fails because a replica died: a read
 * that errors on a replica is retried once on the primary.
 *
 * Health and lag come from a probe loop (every `checkIntervalMs`) that asks the primary for its WAL
 * position and each replica for its replay position. Lag is a time, computed on this node (see
 * replicas.lag.ts): how long ago the primary had already written WAL the replica has not replayed.
 * That stays 0 on an idle primary (unlike `now() - pg_last_xact_replay_timestamp()`, which grows
 * while nothing is written) and needs no heartbeat table. A replica leaves the rotation when it
 * lags past `maxLagMs`, stops answering, errors on a read with a connection failure, or is not in
 * recovery (a promoted standby has its own history); it returns once a probe finds it answering
 * with a lag under half the threshold (the margin keeps a replica near the limit from flapping).
 *
 * Read-your-writes compares WAL positions: after a write, the caller takes `primaryLsn()` (the
 * primary's insert position, past the commit record) and hands it back on later reads as
 * `minLsn`; only a replica whose replay position (as of its last probe, so never overstated) has
 * reached it may serve such a read, else the primary does.
 */
export type ReplicaSettings = Readonly<{
  /** Empty: no replicas, every read on the primary (the behaviour without this feature). */
  urls: ReadonlyArray<string>;
  maxLagMs: number;
  checkIntervalMs: number;
  readYourWritesMs: number;
}>;

export type ReplicaState = 'starting' | 'healthy' | 'lagging' | 'unreachable' | 'not_a_replica';

/** What an operator (and later /metrics) sees of one replica. */
export type ReplicaStatus = Readonly<{
  name: string;
  /** The configured URL without its password. */
  url: string;
  /** In rotation: serves reads. */
  healthy: boolean;
  state: ReplicaState;
  /** Null until a probe has measured it (and while the replica does not answer). */
  lagMs: number | null;
  lagBytes: number | null;
  replayLsn: string | null;
  replayPaused: boolean | null;
  lastError: string | null;
  checkedAt: string | null;
  /** Reads served since start, and reads that failed here and were answered by the primary. */
  reads: number;
  fallbacks: number;
}>;

/** Where a read runs: the Kysely instance and the raw pool of one database. */
export type ReadTarget = Readonly<{ db: Kysely<unknown>; pool: pg.Pool }>;

export type ReplicaSet = Readonly<{
  enabled: boolean;
  /**
   * Runs `fn` on a replica in rotation that has replayed `minLsn` (when given), else on the
   * primary. A replica's failure (anything but a DomainError) is answered by running `fn` again on
   * the primary, so `fn` must be a read.
   */
  read<T>(fn: (target: ReadTarget) => Promise<T>, opts?: { minLsn?: string | null }): Promise<T>;
  /** The primary's WAL insert position now: after a commit, what a client must see on later reads. */
  primaryLsn(): Promise<string>;
  status(): ReplicaStatus[];
  /**
   * The longest a replica that serves a read can be behind the primary: the threshold, plus one
   * probe interval by which the measured lag can fall short, plus two by which the measurement
   * can be old (a replica not probed successfully for two intervals serves no reads).
   */
  maxStalenessMs: number;
  readYourWritesMs: number;
  /** One probe round now (the loop runs one every `checkIntervalMs`); for tests and start-up. */
  probe(): Promise<void>;
  close(): Promise<void>;
}>;

/** A replica connection that cannot be made within this is a dead replica, not a slow one. */
const CONNECT_TIMEOUT_MS = 1500;
/** Primary WAL positions are remembered this long (at most one per probe, only when it moved). */
const TIMELINE_KEEP_MS = 10 * 60_000;

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

type Replica = {
  name: string;
  url: string;
  handle: DatabaseHandle;
  healthy: boolean;
  state: ReplicaState;
  lagMs: number | null;
  lagBytes: number | null;
  replayLsn: bigint | null;
  replayPaused: boolean | null;
  lastError: string | null;
  checkedAt: Date | null;
  reads: number;
  fallbacks: number;
};

type ReplayRow = {
  in_recovery: boolean;
  replay_lsn: string | null;
  paused: boolean | null;
  /** ms since the last replayed commit, by the replica's clock; null before any. */
  since_replay_ms: number | null;
};

export function openReplicaSet(opts: {
  primary: DatabaseHandle;
  settings: ReplicaSettings;
  poolMax: number;
  statementTimeoutMs: number;
  preparedStatements?: boolean;
  applicationName: string;
  log: Logger;
}): ReplicaSet {
  const { primary, settings, log } = opts;
  const primaryTarget: ReadTarget = { db: primary.db, pool: primary.pool };
  const replicas: Replica[] = settings.urls.map((url, i) => ({
    name: `replica${i}`,
    url,
    handle: openDatabase({
      name: `catalog-replica${i}`,
      url,
      poolMax: opts.poolMax,
      statementTimeoutMs: opts.statementTimeoutMs,
      ...(opts.preparedStatements === undefined ? {} : { preparedStatements: opts.preparedStatements }),
      applicationName: opts.applicationName,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    }),
    healthy: false,
    state: 'starting',
    lagMs: null,
    lagBytes: null,
    replayLsn: null,
    replayPaused: null,
    lastError: null,
    checkedAt: null,
    reads: 0,
    fallbacks: 0,
  }));
  const timeline = new WalTimeline(TIMELINE_KEEP_MS);
  const probeTimeoutMs = Math.max(1000, 2 * settings.checkIntervalMs);
  /** A replica whose last good probe is older than this (a stalled probe loop) is not read from. */
  const freshWithinMs = 2 * settings.checkIntervalMs;
  let next = 0;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  function setState(r: Replica, state: ReplicaState, error: string | null): void {
    const healthy = state === 'healthy';
    if (healthy !== r.healthy) {
      const fields = { replica: r.name, url: redactUrl(r.url), state, lagMs: r.lagMs, error };
      if (healthy) log.info(fields, 'replica back in rotation');
      else log.warn(fields, 'replica taken out of rotation');
    }
    r.healthy = healthy;
    r.state = state;
    r.lastError = error;
  }

  async function probeReplica(r: Replica, primaryLsn: bigint | null): Promise<void> {
    try {
      const { rows } = await withTimeout(
        sql<ReplayRow>`select pg_is_in_recovery() as in_recovery,
            pg_last_wal_replay_lsn()::text as replay_lsn,
            case when pg_is_in_recovery() then pg_is_wal_replay_paused() end as paused,
            (extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000)::float8 as since_replay_ms`.execute(r.handle.db),
        probeTimeoutMs,
        'the replica',
      );
      const row = rows[0]!;
      r.checkedAt = new Date();
      if (!row.in_recovery) {
        r.lagMs = r.lagBytes = null;
        setState(r, 'not_a_replica', 'the server is not in recovery (promoted, or not a standby)');
        return;
      }
      r.replayLsn = row.replay_lsn ? parseLsn(row.replay_lsn) : null;
      r.replayPaused = row.paused;
      if (r.replayLsn === null) {
        setState(r, 'starting', 'no WAL replayed yet');
        return;
      }
      const lag = timeline.lagMs(r.replayLsn, Date.now(), row.since_replay_ms);
      r.lagMs = lag === null ? null : Math.round(lag);
      r.lagBytes = primaryLsn === null ? null : Number(primaryLsn > r.replayLsn ? primaryLsn - r.replayLsn : 0n);
      const limit = r.healthy ? settings.maxLagMs : settings.maxLagMs / 2;
      if (lag === null || lag > limit) setState(r, 'lagging', `lag ${r.lagMs ?? '?'} ms over ${settings.maxLagMs} ms`);
      else setState(r, 'healthy', null);
    } catch (err) {
      r.checkedAt = new Date();
      r.lagMs = r.lagBytes = null;
      setState(r, 'unreachable', (err as Error).message);
    }
  }

  async function probeOnce(): Promise<void> {
    let primaryLsn: bigint | null = null;
    try {
      const { rows } = await withTimeout(
        sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(primary.db),
        probeTimeoutMs,
        'the primary',
      );
      primaryLsn = parseLsn(rows[0]!.lsn);
      timeline.record(primaryLsn, Date.now());
    } catch (err) {
      // Lag is then judged against the last position seen; the replicas are still checked for life.
      log.debug({ err }, 'replica probe: the primary did not answer');
    }
    await Promise.all(replicas.map((r) => probeReplica(r, primaryLsn)));
  }

  function probe(): Promise<void> {
    // One round at a time: a test's probe() and the loop's share the round in flight.
    running ??= probeOnce().finally(() => (running = null));
    return running;
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      void probe().finally(schedule);
    }, settings.checkIntervalMs);
    timer.unref();
  }

  function pick(minLsn: bigint | null): Replica | null {
    for (let i = 0; i < replicas.length; i++) {
      const r = replicas[(next + i) % replicas.length]!;
      if (!r.healthy || r.checkedAt === null || Date.now() - r.checkedAt.getTime() > freshWithinMs) continue;
      if (minLsn !== null && !lsnAtLeast(r.replayLsn, minLsn)) continue;
      next = (next + i + 1) % replicas.length;
      return r;
    }
    return null;
  }

  if (replicas.length > 0) {
    void probe().finally(schedule);
  }

  return {
    enabled: replicas.length > 0,
    maxStalenessMs: settings.maxLagMs + 3 * settings.checkIntervalMs,
    readYourWritesMs: settings.readYourWritesMs,

    async read(fn, readOpts) {
      if (replicas.length === 0) return fn(primaryTarget);
      let minLsn: bigint | null = null;
      if (readOpts?.minLsn) {
        try {
          minLsn = parseLsn(readOpts.minLsn);
        } catch {
          // A position the caller cannot have been given by us: be safe, read the primary.
          return fn(primaryTarget);
        }
      }
      const r = pick(minLsn);
      if (!r) return fn(primaryTarget);
      r.reads++;
      try {
        return await fn({ db: r.handle.db, pool: r.handle.pool });
      } catch (err) {
        if (isDomainError(err)) throw err;
        r.fallbacks++;
        // A dead replica leaves the rotation at once rather than at the next probe; a query
        // cancelled by a recovery conflict (40001 on a standby) is retried without that.
        if (isConnectionError(err)) setState(r, 'unreachable', (err as Error).message);
        log.warn({ err, replica: r.name }, 'read failed on a replica; answered from the primary');
        return fn(primaryTarget);
      }
    },

    async primaryLsn() {
      const { rows } = await sql<{ lsn: string }>`select pg_current_wal_insert_lsn()::text as lsn`.execute(primary.db);
      return rows[0]!.lsn;
    },

    status() {
      return replicas.map((r) => ({
        name: r.name,
        url: redactUrl(r.url),
        healthy: r.healthy,
        state: r.state,
        lagMs: r.lagMs,
        lagBytes: r.lagBytes,
        replayLsn: r.replayLsn === null ? null : formatLsn(r.replayLsn),
        replayPaused: r.replayPaused,
        lastError: r.lastError,
        checkedAt: r.checkedAt?.toISOString() ?? null,
        reads: r.reads,
        fallbacks: r.fallbacks,
      }));
    },

    probe,

    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      await Promise.allSettled(replicas.map((r) => r.handle.db.destroy()));
    },
  };
}
