import { sql, type Kysely } from 'kysely';

/** The audit log's queries; each takes the database or the current transaction first. */
export type AuditRow = {
  seq: string;
  event_id: string;
  occurred_at: Date;
  recorded_at: Date;
  actor_id: string;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string;
  ip: string | null;
  user_agent: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  prev_hash: string;
  hash: string;
};

export type NewAuditRow = Omit<AuditRow, 'seq' | 'recorded_at' | 'occurred_at'> & { seq: number; occurred_at: string };

// seq as text (a bigint); ORDER BY names audit_log.seq, since the alias would sort as text.
const COLUMNS = sql`seq::text as seq, event_id::text as event_id, occurred_at, recorded_at, actor_id, actor_role, action,
  target_type, target_id, ip, user_agent, before, after, reason, prev_hash, hash`;

/**
 * Locks the chain's head for the rest of the transaction and returns it: every append takes this
 * lock first, so appends from any number of workers are serialised into one order.
 */
export async function lockHead(trx: Kysely<unknown>): Promise<{ seq: number; hash: string }> {
  const { rows } = await sql<{ seq: string; hash: string }>`select seq::text as seq, hash from audit_chain_head for update`.execute(trx);
  const head = rows[0];
  if (!head) throw new Error('audit_chain_head has no row: the audit migration did not run');
  return { seq: Number(head.seq), hash: head.hash };
}

export async function readHead(db: Kysely<unknown>): Promise<{ seq: number; hash: string }> {
  const { rows } = await sql<{ seq: string; hash: string }>`select seq::text as seq, hash from audit_chain_head`.execute(db);
  return { seq: Number(rows[0]?.seq ?? 0), hash: rows[0]?.hash ?? '' };
}

export async function hasEvent(db: Kysely<unknown>, eventId: string): Promise<boolean> {
  const { rows } = await sql`select 1 from audit_log where event_id = ${eventId}::uuid`.execute(db);
  return rows.length > 0;
}

/** Appends the entry and moves the head to it (the caller holds the head's lock). */
export async function append(trx: Kysely<unknown>, row: NewAuditRow): Promise<void> {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  await sql`insert into audit_log (seq, event_id, occurred_at, actor_id, actor_role, action, target_type, target_id, ip, user_agent,
      before, after, reason, prev_hash, hash)
    values (${row.seq}, ${row.event_id}::uuid, ${row.occurred_at}::timestamptz, ${row.actor_id}, ${row.actor_role}, ${row.action},
      ${row.target_type}, ${row.target_id}, ${row.ip}, ${row.user_agent}, ${json(row.before)}::jsonb, ${json(row.after)}::jsonb,
      ${row.reason}, ${row.prev_hash}, ${row.hash})`.execute(trx);
  await sql`update audit_chain_head set seq = ${row.seq}, hash = ${row.hash}`.execute(trx);
}

/** Entries after `afterSeq` in chain order, a page at a time: what the verifier walks. */
export async function pageAfter(db: Kysely<unknown>, afterSeq: number, limit: number): Promise<AuditRow[]> {
  const { rows } =
    await sql<AuditRow>`select ${COLUMNS} from audit_log where seq > ${afterSeq} order by audit_log.seq limit ${limit}`.execute(db);
  return rows;
}

export type SearchFilter = Readonly<{
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** Entries older (smaller seq) than this one: the keyset of the next page. */
  beforeSeq?: number;
}>;

/** Newest first, `limit` of them, filtered; every filter is an index's leading column or a range on one. */
export async function search(db: Kysely<unknown>, f: SearchFilter, limit: number): Promise<AuditRow[]> {
  const where = [sql`true`];
  if (f.actorId !== undefined) where.push(sql`actor_id = ${f.actorId}`);
  if (f.action !== undefined) where.push(sql`action = ${f.action}`);
  if (f.targetType !== undefined) where.push(sql`target_type = ${f.targetType}`);
  if (f.targetId !== undefined) where.push(sql`target_id = ${f.targetId}`);
  if (f.from !== undefined) where.push(sql`occurred_at >= ${f.from}`);
  if (f.to !== undefined) where.push(sql`occurred_at < ${f.to}`);
  if (f.beforeSeq !== undefined) where.push(sql`seq < ${f.beforeSeq}`);
  const { rows } = await sql<AuditRow>`select ${COLUMNS} from audit_log where ${sql.join(where, sql` and `)}
    order by audit_log.seq desc limit ${limit}`.execute(db);
  return rows;
}
