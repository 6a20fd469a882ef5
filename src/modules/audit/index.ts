/**
 * The audit trail's public surface (issue 15): every seller and operator action that changes
 * something records who did it, what, to what, from where, and the state before and after.
 *
 * A module records an action in the transaction of the change (`audit.record(trx, actor, action)`),
 * as a domain event: so an entry exists if and only if its change committed, and writing the
 * hash-chained log itself happens off the request path, in the worker that consumes the event.
 */
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { auditMigrations } from './audit.migrations.ts';
import { auditRoutes } from './audit.routes.ts';
import { createAuditService, type AuditService } from './audit.service.ts';

export { auditMigrations };
export type { AuditEntry, AuditPage, AuditSearch, AuditService, ChainProblem, ChainVerdict } from './audit.service.ts';

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
  return auditActorFor(account, request);
}

/**
 * Who acted and from where, for an account the caller already holds (a page's session, or the
 * role an account is taking as it acts): the address and user agent come from the request.
 */
export function auditActorFor(account: Readonly<{ id: string; role: string }>, request: FastifyRequest): AuditActor {
  const agent = request.headers['user-agent'];
  return {
    accountId: account.id,
    role: account.role,
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 300) : null,
  };
}

export type AuditModule = ModuleDefinition &
  Readonly<{
    /** Search and verify: what the console's pages call, the same functions as the routes. */
    service: AuditService;
  }>;

/** The subscriber name on the event bus (its jobs are `event:audit.recorded:audit`). */
const SUBSCRIBER = 'audit';

/**
 * The audit log: subscribes to `audit.recorded` (published on the catalog store and on every shard)
 * and appends each event to the hash-chained `audit_log` on the catalog store.
 */
export function createAudit(deps: {
  stores: Stores;
  events: EventBus;
  /**
   * identity's `requireRole('admin')`: passed in, not imported, because identity records its own
   * actions through this module (a type import would make the two modules a cycle).
   */
  requireAdmin: preHandlerAsyncHookHandler;
  log: Logger;
}): AuditModule {
  const service = createAuditService({ db: deps.stores.catalog.db, log: deps.log.child({ module: 'audit' }) });
  // One job per event, not batched: events are published on request paths (see subscribeBatched).
  deps.events.subscribe(AUDIT_EVENT, SUBSCRIBER, async (event) => {
    await service.append(event);
  });
  return {
    name: 'audit',
    migrations: auditMigrations,
    routes: auditRoutes({ service, requireAdmin: deps.requireAdmin }),
    service,
  };
}
