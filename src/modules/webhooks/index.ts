/**
 * Seller webhooks: sellers register HTTPS endpoints for order events; each event becomes one
 * signed delivery per subscribed endpoint (recorded in the seller's shard, idempotent per event
 * and endpoint), sent by a job that runs in a worker pool of its own (app/worker.ts) so a slow
 * endpoint delays nothing else, retried with exponential backoff for a day; an endpoint that fails
 * for the whole day is disabled with a notice the seller reads, and its events are kept until it
 * is enabled again. Other modules use only what this file exports.
 */
import type { ModuleDefinition } from '../../platform/module.ts';
import { ORDER_PAID_EVENT } from '../orders/index.ts';
import type { TaskHandler } from '../../platform/queue/queue.ts';
import { createDeliveryTask, createSender, DELIVER_TASK } from './webhooks.delivery.ts';
import { webhooksMigrations } from './webhooks.migrations.ts';
import { webhooksRoutes } from './webhooks.routes.ts';
import { createWebhooksService } from './webhooks.service.ts';
import type { WebhooksDeps } from './webhooks.types.ts';

export { webhooksMigrations, DELIVER_TASK as WEBHOOK_DELIVERY_TASK };
export { WEBHOOK_EVENT_TYPES, type WebhooksSettings } from './webhooks.types.ts';
export { signatureHeader, verifySignature } from './webhooks.signing.ts';

/** The subscriber name on the event bus (its jobs are `event:<type>:webhooks`). */
const SUBSCRIBER = 'webhooks';

export type WebhooksModule = ModuleDefinition &
  Readonly<{
    /**
     * The delivery job, which must run in a pool of its own: `tasks` holds it too (so one-shot
     * runners see every job), and the worker role gives it to the webhook pool only.
     */
    poolTasks: Readonly<Record<string, TaskHandler>>;
    /** Closes the HTTP connections kept to endpoints. */
    close(): Promise<void>;
  }>;

export function createWebhooks(deps: WebhooksDeps): WebhooksModule {
  const log = deps.log.child({ module: 'webhooks' });
  const service = createWebhooksService({ ...deps, log });
  const sender = createSender(deps.settings);
  // Batched: one job and one endpoint lookup per shard for the paid orders of each window.
  deps.events.subscribeBatched(ORDER_PAID_EVENT, SUBSCRIBER, (events, ctx) => service.onOrderPaid(events, ctx), {
    maxDelayMs: deps.settings.batchDelayMs,
  });
  const poolTasks = { [DELIVER_TASK]: createDeliveryTask({ stores: deps.stores, settings: deps.settings, sender, log }) };
  return {
    name: 'webhooks',
    migrations: webhooksMigrations,
    routes: webhooksRoutes({ service, guards: deps.guards }),
    tasks: poolTasks,
    poolTasks,
    close: () => sender.close(),
  };
}
