/**
 * WAL positions and replica lag: the arithmetic behind replicas.ts, kept free of I/O so it can be
 * tested on its own.
 */

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** A PostgreSQL `pg_lsn` text (`16/B374D848`) as a 64-bit byte position. Throws on anything else. */
export function parseLsn(text: string): bigint {
  const m = LSN.exec(text);
  if (!m) throw new Error(`not a WAL position: ${JSON.stringify(text.slice(0, 40))}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function isLsn(text: string): boolean {
  return LSN.test(text);
}

export function lsnAtLeast(have: bigint | null, need: bigint): boolean {
  return have !== null && have >= need;
}

/**
 * When the primary reached which WAL position, as seen by this node's probes: one sample per probe
 * in which the position moved. A replica that has replayed up to R is missing exactly the WAL past
 * R; the first sample past R says the primary had written that WAL by then, so the replica is at
 * least `now - sample.at` behind. That is a lower bound, short by at most one probe interval, and
 * the configured staleness bound adds that interval back (replicas.ts, maxStalenessMs).
 *
 * A replica already behind the oldest sample (it was behind when this node started watching, or
 * for longer than the samples are kept) cannot be placed on the timeline; its lag is then the
 * larger of the time we have watched it and the age of its last replayed commit by its own clock,
 * which over-states rather than under-states how stale it is.
 */
export class WalTimeline {
  private samples: Array<{ lsn: bigint; at: number }> = [];

  constructor(private readonly keepMs: number) {}

  record(lsn: bigint, at: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && lsn <= last.lsn) return;
    this.samples.push({ lsn, at });
    // Keep one sample older than the window: it anchors replicas replayed up to just before it.
    while (this.samples.length > 2 && this.samples[1]!.at < at - this.keepMs) this.samples.shift();
  }

  get latest(): bigint | null {
    return this.samples[this.samples.length - 1]?.lsn ?? null;
  }

  /**
   * Milliseconds a replica that replayed up to `replayLsn` is behind at `now`; null when the
   * primary has never been seen. `sinceLastReplayMs` is the replica's own `now() -
   * pg_last_xact_replay_timestamp()`, used only when the timeline cannot place it.
   */
  lagMs(replayLsn: bigint, now: number, sinceLastReplayMs: number | null): number | null {
    const n = this.samples.length;
    if (n === 0) return null;
    if (replayLsn >= this.samples[n - 1]!.lsn) return 0;
    const firstAhead = this.samples.findIndex((s) => s.lsn > replayLsn);
    if (firstAhead > 0) return Math.max(0, now - this.samples[firstAhead]!.at);
    const watched = Math.max(0, now - this.samples[0]!.at);
    return Math.max(watched, sinceLastReplayMs ?? 0);
  }
}

/**
 * A failure that says the server is gone or refusing (rather than the query being wrong): network
 * errors without a SQLSTATE, connection exceptions (08), shutdown and start-up (57P01-57P03), too
 * many connections (53300) and other resource exhaustion (53), and pg's own client-side messages.
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return code.startsWith('08') || code.startsWith('53') || code === '57P01' || code === '57P02' || code === '57P03';
  }
  // ECONNREFUSED, ETIMEDOUT, ...; pg's "Connection terminated unexpectedly", "timeout exceeded when trying to connect".
  if (typeof code === 'string') return true;
  return /connect|terminat|timeout|socket|did not answer/i.test((err as Error)?.message ?? '');
}
