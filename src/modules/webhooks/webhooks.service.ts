import type { DomainEvent } from '../../platform/events.ts';
import { enqueueMany, PermanentJobError, type JobContext } from '../../platform/queue/queue.ts';
import type { AuditActor } from '../audit/index.ts';
import { isId, newShardedId, shardOfId } from '../../shared/ids.ts';
import { ORDER_PAID_EVENT, type OrderPaidPayload } from '../orders/index.ts';
import { attemptJob } from './webhooks.delivery.ts';
import { webhooksErrors } from './webhooks.errors.ts';
import * as repo from './webhooks.repository.ts';
import { newSecret } from './webhooks.signing.ts';
import {
  MAX_ENDPOINTS_PER_SELLER,
  type DeliveryView,
  type EndpointView,
  type WebhookEventType,
  type WebhooksDeps,
} from './webhooks.types.ts';
import { checkEndpointUrl } from './webhooks.urls.ts';

const RECENT_DELIVERIES = 50;
const ATTEMPTS_PER_DELIVERY = 10;

function toEndpointView(r: repo.EndpointRow): EndpointView {
  return {
    id: r.id,
    url: r.url,
    eventTypes: r.event_types,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    lastSuccessAt: r.last_success_at?.toISOString() ?? null,
    consecutiveFailures: r.consecutive_failures,
    disabledAt: r.disabled_at?.toISOString() ?? null,
    notice: r.disabled_reason,
  };
}

/**
 * What a seller's endpoint receives for `order.paid`: the seller's own sub-orders only (never
 * another seller's, never the customer's details). The items are at GET /api/v1/seller/orders/:id.
 */
export function orderPaidBody(event: DomainEvent, paid: OrderPaidPayload, sellerId: string): string {
  const subOrders = paid.subOrders.filter((s) => s.sellerId === sellerId).map((s) => ({ id: s.id, shopId: s.shopId, total: s.total }));
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.occurredAt,
    data: { orderId: paid.orderId, currency: paid.currency, subOrders },
  });
}

function parseOrderPaid(payload: Record<string, unknown>): OrderPaidPayload | null {
  const subs = payload.subOrders;
  if (typeof payload.orderId !== 'string' || typeof payload.currency !== 'string' || !Array.isArray(subs)) return null;
  for (const s of subs as unknown[]) {
    const sub = s as Record<string, unknown> | null;
    if (!sub || typeof sub.id !== 'string' || typeof sub.sellerId !== 'string' || !isId(sub.sellerId)) return null;
  }
  return payload as unknown as OrderPaidPayload;
}

export function createWebhooksService(deps: WebhooksDeps) {
  const { stores, settings, audit } = deps;
  const policy = { allowInsecure: settings.allowInsecure };
  const windowMs = settings.retryWindowSeconds * 1000;
  // Endpoints live in the seller's shard: every query routes by the seller's id.
  const dbFor = (sellerId: string) => stores.shards.forId(sellerId).db;

  async function ownedEndpoint(sellerId: string, id: string): Promise<repo.EndpointRow> {
    // Another seller's endpoint is "not found", never "forbidden": its existence is not told.
    const row = isId(id) ? await repo.findEndpoint(dbFor(sellerId), sellerId, id) : undefined;
    if (!row) throw webhooksErrors.endpointNotFound();
    return row;
  }

  return {
    /**
     * Registers an endpoint; the answer holds the signing secret, which is never shown again (nor
     * written to the audit entry, `webhook.created`, recorded in the same transaction).
     */
    async register(
      actor: AuditActor,
      input: { url: string; eventTypes: WebhookEventType[] },
    ): Promise<{ endpoint: EndpointView; secret: string }> {
      const sellerId = actor.accountId;
      const url = await checkEndpointUrl(input.url, policy);
      const eventTypes = [...new Set(input.eventTypes)].sort();
      const secret = newSecret();
      const row = await dbFor(sellerId)
        .transaction()
        .execute(async (trx) => {
          await repo.lockSeller(trx, sellerId);
          if ((await repo.countEndpoints(trx, sellerId)) >= MAX_ENDPOINTS_PER_SELLER)
            throw webhooksErrors.tooManyEndpoints(MAX_ENDPOINTS_PER_SELLER);
          const inserted = await repo.insertEndpoint(trx, {
            id: newShardedId(shardOfId(sellerId)),
            sellerId,
            url: url.toString(),
            eventTypes,
            secret,
          });
          await audit.record(trx, actor, {
            action: 'webhook.created',
            targetType: 'webhook_endpoint',
            targetId: inserted.id,
            before: null,
            after: { url: inserted.url, eventTypes: inserted.event_types, status: inserted.status },
          });
          return inserted;
        });
      return { endpoint: toEndpointView(row), secret };
    },

    async list(sellerId: string): Promise<EndpointView[]> {
      return (await repo.listEndpoints(dbFor(sellerId), sellerId)).map(toEndpointView);
    },

    /**
     * Deletes the endpoint and its delivery history; jobs still queued for it find nothing and end.
     * Audited (`webhook.deleted`) in the delete's transaction.
     */
    async remove(actor: AuditActor, id: string): Promise<void> {
      const sellerId = actor.accountId;
      if (!isId(id)) throw webhooksErrors.endpointNotFound();
      await dbFor(sellerId)
        .transaction()
        .execute(async (trx) => {
          const row = await repo.deleteEndpoint(trx, sellerId, id);
          if (!row) throw webhooksErrors.endpointNotFound();
          await audit.record(trx, actor, {
            action: 'webhook.deleted',
            targetType: 'webhook_endpoint',
            targetId: row.id,
            before: { url: row.url, eventTypes: row.event_types, status: row.status },
            after: null,
          });
        });
    },

    /**
     * Enables an endpoint again (after it was disabled, or harmlessly when active): its failure
     * record is cleared and every delivery held while it was disabled is sent again, with a fresh
     * retry window, in the same transaction; audited (`webhook.enabled`) in it.
     */
    async enable(actor: AuditActor, id: string): Promise<EndpointView> {
      const sellerId = actor.accountId;
      if (!isId(id)) throw webhooksErrors.endpointNotFound();
      return dbFor(sellerId)
        .transaction()
        .execute(async (trx) => {
          // Scoped by seller: another seller's endpoint is "not found", as in ownedEndpoint.
          const was = await repo.lockEndpoint(trx, sellerId, id);
          if (!was) throw webhooksErrors.endpointNotFound();
          const row = await repo.activateEndpoint(trx, sellerId, id);
          if (!row) throw webhooksErrors.endpointNotFound();
          await audit.record(trx, actor, {
            action: 'webhook.enabled',
            targetType: 'webhook_endpoint',
            targetId: row.id,
            before: { status: was.status, consecutiveFailures: was.consecutive_failures, disabledReason: was.disabled_reason },
            after: { status: row.status, consecutiveFailures: row.consecutive_failures, disabledReason: row.disabled_reason },
          });
          const now = new Date();
          const resumed = await repo.resumeHeld(trx, id, now, new Date(now.getTime() + windowMs));
          // A day of held events can be thousands: their jobs go in one call.
          await enqueueMany(
            trx,
            resumed.map((deliveryId) => attemptJob(deliveryId)),
          );
          return toEndpointView(row);
        });
    },

    /**
     * Sends a delivery again now, as it was first sent, with a fresh retry window: the seller's
     * "redeliver" after fixing their receiver (a delivered or failed one), or "try now" instead of
     * waiting out the backoff (a pending one: its job is moved to now, as the job key is the
     * delivery's). Not while the endpoint is disabled: enabling it resumes what it missed.
     * Audited (`webhook.redelivered`) in the same transaction as the delivery's job.
     */
    async redeliver(actor: AuditActor, endpointId: string, deliveryId: string): Promise<{ id: string; status: 'pending' }> {
      const sellerId = actor.accountId;
      if (!isId(endpointId)) throw webhooksErrors.endpointNotFound();
      if (!isId(deliveryId)) throw webhooksErrors.deliveryNotFound();
      return dbFor(sellerId)
        .transaction()
        .execute(async (trx) => {
          const endpoint = await repo.lockEndpoint(trx, sellerId, endpointId);
          if (!endpoint) throw webhooksErrors.endpointNotFound();
          if (endpoint.status !== 'active')
            throw webhooksErrors.notRedeliverable('The endpoint is disabled: enable it, which sends what it missed');
          const was = await repo.lockDelivery(trx, endpointId, deliveryId);
          if (!was) throw webhooksErrors.deliveryNotFound();
          if (was.status === 'held') throw webhooksErrors.notRedeliverable('The delivery is held: enable the endpoint to send it');
          const now = new Date();
          await repo.reopenDelivery(trx, deliveryId, now, new Date(now.getTime() + windowMs));
          await audit.record(trx, actor, {
            action: 'webhook.redelivered',
            targetType: 'webhook_delivery',
            targetId: deliveryId,
            before: { status: was.status, attempts: was.attempts },
            after: { status: 'pending', attempts: was.attempts },
          });
          await enqueueMany(trx, [attemptJob(deliveryId)]);
          return { id: deliveryId, status: 'pending' as const };
        });
    },

    async deliveries(sellerId: string, id: string): Promise<DeliveryView[]> {
      await ownedEndpoint(sellerId, id);
      const db = dbFor(sellerId);
      const rows = await repo.recentDeliveries(db, id, RECENT_DELIVERIES);
      const attempts = await repo.recentAttempts(
        db,
        rows.map((r) => r.id),
        ATTEMPTS_PER_DELIVERY,
      );
      return rows.map((r) => ({
        id: r.id,
        eventId: r.event_id,
        eventType: r.event_type,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
        lastStatusCode: r.last_status_code,
        lastError: r.last_error,
        deliveredAt: r.delivered_at?.toISOString() ?? null,
        createdAt: r.created_at.toISOString(),
        recentAttempts: attempts
          .filter((a) => a.delivery_id === r.id)
          .map((a) => ({
            attempt: a.attempt,
            attemptedAt: a.attempted_at.toISOString(),
            statusCode: a.status_code,
            error: a.error,
            durationMs: a.duration_ms,
          })),
      }));
    },

    /**
     * The `order.paid` subscriber, for a batch of events: for each seller in each order, one
     * delivery per endpoint subscribed to the event, written with its job in one transaction on
     * the seller's shard. The endpoints of every seller in the batch are looked up first, one
     * statement per shard: most sellers have none, and then the batch costs nothing more.
     * Idempotent: a redelivered event finds its deliveries (unique per event and endpoint) and
     * queues nothing new. An endpoint that is disabled gets its delivery held, sent once enabled.
     */
    async onOrderPaid(events: ReadonlyArray<DomainEvent>, ctx: JobContext): Promise<void> {
      const orders = events.map((event) => {
        const paid = parseOrderPaid(event.payload);
        // The bus then delivers the batch's events one by one, so only this one fails for good.
        if (!paid) throw new PermanentJobError(`order.paid event ${event.id} has a payload webhooks does not understand`);
        return { event, paid, sellers: [...new Set(paid.subOrders.map((s) => s.sellerId))] };
      });
      const sellersByShard = new Map<ReturnType<typeof dbFor>, Set<string>>();
      for (const sellerId of orders.flatMap((o) => o.sellers)) {
        const db = dbFor(sellerId);
        sellersByShard.set(db, (sellersByShard.get(db) ?? new Set()).add(sellerId));
      }
      const endpointsOf = new Map<string, Array<{ id: string; status: string }>>();
      for (const [db, sellers] of sellersByShard) {
        for (const [sellerId, list] of await repo.endpointsOfSellers(db, [...sellers], ORDER_PAID_EVENT)) endpointsOf.set(sellerId, list);
      }
      for (const { event, paid, sellerId } of orders.flatMap((o) => o.sellers.map((sellerId) => ({ ...o, sellerId })))) {
        const endpoints = endpointsOf.get(sellerId) ?? [];
        if (endpoints.length === 0) continue;
        const db = dbFor(sellerId);
        const body = orderPaidBody(event, paid, sellerId);
        const retryUntil = new Date(Date.now() + windowMs);
        // The deliveries in one insert and the jobs of those inserted pending in one call, in one
        // transaction: a delivery exists if and only if its job does (a held one waits for enable).
        const queued = await db.transaction().execute(async (trx) => {
          const inserted = await repo.insertDeliveries(
            trx,
            endpoints.map((e) => ({
              id: newShardedId(shardOfId(sellerId)),
              sellerId,
              endpointId: e.id,
              eventId: event.id,
              eventType: event.type,
              body,
              status: e.status === 'active' ? 'pending' : 'held',
              retryUntil,
            })),
          );
          const jobs = inserted.filter((d) => d.status === 'pending').map((d) => attemptJob(d.id));
          await enqueueMany(trx, jobs);
          return jobs.length;
        });
        ctx.log.debug({ eventId: event.id, sellerId, queued }, 'webhook deliveries queued');
      }
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
