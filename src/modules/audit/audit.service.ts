import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DomainEvent } from '../../platform/events.ts';
import { PermanentJobError } from '../../platform/queue/queue.ts';
import { entryHash, GENESIS_HASH, type ChainedContent } from './audit.chain.ts';
import { auditErrors } from './audit.errors.ts';
import * as repo from './audit.repository.ts';

/** One entry of the log as the console shows it. */
export type AuditEntry = Readonly<{
  seq: number;
  eventId: string;
  occurredAt: string;
  recordedAt: string;
  actor: Readonly<{ accountId: string; role: string; ip: string | null; userAgent: string | null }>;
  action: string;
  target: Readonly<{ type: string; id: string }>;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}>;

export type AuditSearch = Readonly<{
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}>;

export type AuditPage = Readonly<{ items: AuditEntry[]; nextCursor: string | null }>;

/** What walking the chain found: every entry sound, or the first one that is not and why. */
export type ChainVerdict =
  | Readonly<{ ok: true; entries: number; headSeq: number; headHash: string }>
  | Readonly<{
      ok: false;
      entries: number;
      firstBad: Readonly<{ seq: number; eventId: string | null; problem: ChainProblem; message: string }>;
    }>;

export type ChainProblem = 'content_changed' | 'link_broken' | 'entry_missing' | 'head_mismatch';

const toContent = (r: repo.AuditRow): ChainedContent => ({
  seq: Number(r.seq),
  eventId: r.event_id,
  occurredAt: r.occurred_at.toISOString(),
  actorId: r.actor_id,
  actorRole: r.actor_role,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  ip: r.ip,
  userAgent: r.user_agent,
  before: r.before,
  after: r.after,
  reason: r.reason,
  prevHash: r.prev_hash,
});

const toEntry = (r: repo.AuditRow): AuditEntry => ({
  seq: Number(r.seq),
  eventId: r.event_id,
  occurredAt: r.occurred_at.toISOString(),
  recordedAt: r.recorded_at.toISOString(),
  actor: { accountId: r.actor_id, role: r.actor_role, ip: r.ip, userAgent: r.user_agent },
  action: r.action,
  target: { type: r.target_type, id: r.target_id },
  before: r.before as Record<string, unknown> | null,
  after: r.after as Record<string, unknown> | null,
  reason: r.reason,
  prevHash: r.prev_hash,
  hash: r.hash,
});

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const objOrNull = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * The entry an `audit.recorded` event makes, its chain fields aside; null when the payload is not
 * one `auditRecorder` writes (a bug in the publisher: retrying cannot help).
 */
function parsePayload(event: DomainEvent): Omit<ChainedContent, 'seq' | 'prevHash'> | null {
  const p = event.payload;
  const actor = objOrNull(p.actor);
  if (!actor || !str(actor.accountId) || !str(actor.role)) return null;
  if (!str(p.action) || !str(p.targetType) || !str(p.targetId)) return null;
  // `at` is when the change was made (its transaction); the event's own time is the fallback.
  const at = new Date(typeof p.at === 'string' ? p.at : event.occurredAt);
  if (Number.isNaN(at.getTime())) return null;
  // Through JSON, as jsonb will hand them back: the hash is of what is stored.
  const json = (v: unknown) => (v === undefined || v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown));
  return {
    eventId: event.id,
    occurredAt: at.toISOString(),
    actorId: actor.accountId,
    actorRole: actor.role,
    action: p.action,
    targetType: p.targetType,
    targetId: p.targetId,
    ip: strOrNull(actor.ip),
    userAgent: strOrNull(actor.userAgent),
    before: json(objOrNull(p.before)),
    after: json(objOrNull(p.after)),
    reason: strOrNull(p.reason),
  };
}

const VERIFY_PAGE = 1000;
const DEFAULT_LIMIT = 50;

export type AuditService = Readonly<{
  /**
   * The `audit.recorded` subscriber: appends the event's entry to the chain, exactly once per event
   * id (a redelivered event finds its entry and appends nothing). Appends are serialised by the
   * lock on the chain's head, so concurrent workers still make one chain.
   */
  append(event: DomainEvent): Promise<'appended' | 'duplicate'>;
  /** Walks the whole chain in order and reports the first entry that does not verify. */
  verify(): Promise<ChainVerdict>;
  /** Newest first, filtered by actor, action, target and time range; `nextCursor` pages on. */
  search(query: AuditSearch): Promise<AuditPage>;
}>;

export function createAuditService(deps: { db: Kysely<unknown>; log: Logger }): AuditService {
  const { db, log } = deps;
  return {
    async append(event) {
      const content = parsePayload(event);
      if (!content) throw new PermanentJobError(`audit.recorded event ${event.id} has a payload the audit log does not understand`);
      return db.transaction().execute(async (trx) => {
        const head = await repo.lockHead(trx);
        // Under the head's lock: no other append can be adding this event meanwhile.
        if (await repo.hasEvent(trx, event.id)) return 'duplicate' as const;
        const chained: ChainedContent = { ...content, seq: head.seq + 1, prevHash: head.hash };
        const hash = entryHash(chained);
        await repo.append(trx, {
          seq: chained.seq,
          event_id: chained.eventId,
          occurred_at: chained.occurredAt,
          actor_id: chained.actorId,
          actor_role: chained.actorRole,
          action: chained.action,
          target_type: chained.targetType,
          target_id: chained.targetId,
          ip: chained.ip,
          user_agent: chained.userAgent,
          before: chained.before,
          after: chained.after,
          reason: chained.reason,
          prev_hash: chained.prevHash,
          hash,
        });
        log.debug({ seq: chained.seq, action: chained.action, eventId: event.id }, 'audit entry appended');
        return 'appended' as const;
      });
    },

    async verify() {
      let expectedSeq = 1;
      let prevHash = GENESIS_HASH;
      let entries = 0;
      const bad = (seq: number, eventId: string | null, problem: ChainProblem, message: string): ChainVerdict => ({
        ok: false,
        entries,
        firstBad: { seq, eventId, problem, message },
      });
      for (;;) {
        const page = await repo.pageAfter(db, expectedSeq - 1, VERIFY_PAGE);
        for (const row of page) {
          const seq = Number(row.seq);
          if (seq !== expectedSeq)
            return bad(expectedSeq, null, 'entry_missing', `entry ${expectedSeq} is missing (the next one is ${seq})`);
          if (row.prev_hash !== prevHash) {
            return bad(
              seq,
              row.event_id,
              'link_broken',
              `entry ${seq} does not follow entry ${seq - 1}: its prevHash is not that entry's hash`,
            );
          }
          if (entryHash(toContent(row)) !== row.hash) {
            return bad(
              seq,
              row.event_id,
              'content_changed',
              `entry ${seq} was changed after it was written: its content does not match its hash`,
            );
          }
          prevHash = row.hash;
          expectedSeq++;
          entries++;
        }
        if (page.length < VERIFY_PAGE) break;
      }
      const head = await repo.readHead(db);
      if (head.seq !== entries || head.hash !== prevHash) {
        const seq = Math.max(entries, head.seq);
        return bad(
          seq,
          null,
          'head_mismatch',
          `the chain ends at entry ${entries} but its head records entry ${head.seq}: entries were removed from the end`,
        );
      }
      return { ok: true, entries, headSeq: head.seq, headHash: head.hash };
    },

    async search(query) {
      const limit = query.limit ?? DEFAULT_LIMIT;
      let beforeSeq: number | undefined;
      if (query.cursor !== undefined) {
        if (!/^[1-9][0-9]{0,15}$/.test(query.cursor)) throw auditErrors.invalidCursor();
        beforeSeq = Number(query.cursor);
      }
      const from = query.from === undefined ? undefined : new Date(query.from);
      const to = query.to === undefined ? undefined : new Date(query.to);
      if (from && to && to.getTime() < from.getTime()) throw auditErrors.invalidRange();
      const rows = await repo.search(
        db,
        {
          ...(query.actorId !== undefined ? { actorId: query.actorId } : {}),
          ...(query.action !== undefined ? { action: query.action } : {}),
          ...(query.targetType !== undefined ? { targetType: query.targetType } : {}),
          ...(query.targetId !== undefined ? { targetId: query.targetId } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        },
        limit + 1,
      );
      const items = rows.slice(0, limit).map(toEntry);
      return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
    },
  };
}
