/**
 * The audit trail's public surface (issue 15): every seller and operator action that changes
 * something records who did it, what, to what, from where, and the state before and after.
 *
 * A module records an action in the transaction of the change (`audit.record(trx, actor, action)`),
 * as a domain event: so an entry exists if and only if its change committed, and writing the
 * hash-chained log itself happens off the request path, in the worker that consumes the event.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { EventBus } from '../../platform/events.ts';

/** The event every audited action publishes; the audit module's subscriber appends it to the log. */
export const AUDIT_EVENT = 'audit.recorded';

/** Who acted, and from where: taken from the request by `auditActorOf`. */
export type AuditActor = Readonly<{
  accountId: string;
  role: string;
  ip: string | null;
  userAgent: string | null;
}>;

/** What was done: `action` names it (`shop.suspended`, `product.published`, `order.refunded`). */
export type AuditAction = Readonly<{
  action: string;
  targetType: string;
  targetId: string;
  /** The fields the action changed, as they were (null when the target was created). */
  before: Record<string, unknown> | null;
  /** The same fields after (null when the target was deleted). */
  after: Record<string, unknown> | null;
  /** Why, when the actor said (an operator's reason for unpublishing, say). */
  reason?: string;
}>;

export type AuditRecorder = Readonly<{
  /** Publishes the action in `db`'s transaction: call it with the transaction of the change itself. */
  record(db: Kysely<unknown>, actor: AuditActor, action: AuditAction): Promise<void>;
}>;

export function auditRecorder(events: EventBus): AuditRecorder {
  return {
    async record(db, actor, action) {
      await events.publish(db, AUDIT_EVENT, { actor, ...action, at: new Date().toISOString() });
    },
  };
}

/** The actor of a request whose guard let a signed-in account through. */
export function auditActorOf(request: FastifyRequest): AuditActor {
  const account = request.account;
  if (!account) throw new Error('auditActorOf: the route has no signed-in account (guard it with requireAccount or requireRole)');
  const agent = request.headers['user-agent'];
  return {
    accountId: account.id,
    role: account.role,
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 300) : null,
  };
}
