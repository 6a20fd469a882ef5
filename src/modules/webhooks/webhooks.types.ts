import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { AuditRecorder } from '../audit/index.ts';
import type { AuthGuards } from '../identity/index.ts';

/** The order events a seller can subscribe an endpoint to (what orders publishes today). */
export const WEBHOOK_EVENT_TYPES = ['order.paid'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A seller's webhook endpoints at most: bounds the fan-out of one event. */
export const MAX_ENDPOINTS_PER_SELLER = 16;

export type WebhooksSettings = Readonly<{
  /** http:// and private/loopback addresses allowed (tests, local development only). */
  allowInsecure: boolean;
  /** Deliveries in flight at once per database, in the webhook pool. */
  concurrency: number;
  /** One attempt's time limit, from connecting to the response headers. */
  timeoutMs: number;
  /** The first retry's delay; each next one doubles, up to retryMaxDelayMs, with jitter. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** How long a delivery is retried, and how long an endpoint may fail before it is disabled. */
  retryWindowSeconds: number;
  /**
   * `order.paid` events reach the subscriber in batches, those of each window of this length in
   * one job (0: each in a job of its own): one endpoint lookup per shard for the whole batch
   * instead of a job and a lookup per paid order, most of whose sellers have no endpoint.
   */
  batchDelayMs: number;
}>;

export type WebhooksDeps = Readonly<{
  stores: Stores;
  events: EventBus;
  /** Sellers' endpoint changes are audited in their transactions (on the seller's shard). */
  audit: AuditRecorder;
  guards: AuthGuards;
  settings: WebhooksSettings;
  log: Logger;
}>;

export type EndpointView = Readonly<{
  id: string;
  url: string;
  eventTypes: string[];
  status: 'active' | 'disabled';
  createdAt: string;
  lastSuccessAt: string | null;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  disabledAt: string | null;
  /** Why the endpoint was disabled: the notice the seller reads (null while active). */
  notice: string | null;
}>;

export type AttemptView = Readonly<{
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}>;

export type DeliveryView = Readonly<{
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'held' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  /** The latest attempts, newest first. */
  recentAttempts: AttemptView[];
}>;
