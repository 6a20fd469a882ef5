import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import type { Stores } from '../../platform/postgres/stores.ts';
import { enqueue, PermanentJobError, type JobSpec, type TaskHandler } from '../../platform/queue/queue.ts';
import { jitteredBackoffMs } from '../../platform/queue/backoff.ts';
import { isId } from '../../shared/ids.ts';
import * as repo from './webhooks.repository.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhooks.signing.ts';
import type { WebhooksSettings } from './webhooks.types.ts';
import { checkUrlShape, guardedLookup } from './webhooks.urls.ts';

/** The job that makes one attempt at one delivery. It runs in the webhook pool only (app/worker.ts). */
export const DELIVER_TASK = 'webhooks.deliver';

/** How much of a response body we read before dropping the connection: we only need the status. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** The job of a delivery's next attempt (one pending job per delivery, by job key). */
export function attemptJob(deliveryId: string, runAt?: Date): JobSpec {
  return { task: DELIVER_TASK, payload: { deliveryId }, jobKey: `${DELIVER_TASK}:${deliveryId}`, ...(runAt ? { runAt } : {}) };
}

export type AttemptOutcome = Readonly<{ ok: boolean; statusCode: number | null; error: string | null; durationMs: number }>;

export type Sender = Readonly<{
  send(delivery: { id: string; url: string; secret: string; eventType: string; body: string }): Promise<AttemptOutcome>;
  close(): Promise<void>;
}>;

/**
 * Sends deliveries with undici: one time limit for the whole attempt (AbortSignal), no redirects
 * followed (a redirect could lead to an address we refuse), and, unless insecure URLs are allowed,
 * a DNS lookup on every connection that refuses private addresses.
 */
export function createSender(settings: Pick<WebhooksSettings, 'allowInsecure' | 'timeoutMs'>): Sender {
  const agent = new Agent({
    connect: { timeout: settings.timeoutMs, ...(settings.allowInsecure ? {} : { lookup: guardedLookup }) },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
    keepAliveTimeout: 4000,
  });
  return {
    async send(d) {
      const started = performance.now();
      const took = () => Math.round(performance.now() - started);
      try {
        // The URL was checked at registration; checked again here in case the rules got stricter.
        checkUrlShape(d.url, { allowInsecure: settings.allowInsecure });
        const res = await request(d.url, {
          method: 'POST',
          dispatcher: agent,
          signal: AbortSignal.timeout(settings.timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Atelier-Webhooks/1',
            [SIGNATURE_HEADER]: signatureHeader(d.secret, d.body),
            [EVENT_HEADER]: d.eventType,
            [DELIVERY_HEADER]: d.id,
          },
          body: d.body,
        });
        await res.body.dump({ limit: MAX_RESPONSE_BYTES }).catch(() => undefined);
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        return { ok, statusCode: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}`, durationMs: took() };
      } catch (err) {
        return { ok: false, statusCode: null, error: describe(err, settings.timeoutMs), durationMs: took() };
      }
    },
    close: () => agent.close(),
  };
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || /timeout/i.test(err.name)) return `timed out after ${timeoutMs} ms`;
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? `: ${cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${inner}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}

/**
 * The delivery job. One attempt, then the outcome and (on failure) the next attempt are recorded
 * in one transaction on the seller's shard:
 * - 2xx: delivered; the endpoint's failure streak ends.
 * - anything else: retried after `jitteredBackoffMs` (`WEBHOOKS_RETRY_BASE_MS` doubling up to
 *   `WEBHOOKS_RETRY_MAX_DELAY_MS`; with the defaults about 38 tries in a day, 30 to 54), until the
 *   delivery's retry window ends (failed).
 * - an endpoint that has not accepted a single delivery for the whole window is disabled, with a
 *   notice the seller sees, and its pending deliveries are held (not dropped): enabling it again
 *   sends them. So a delivery is delayed, never lost, unless one endpoint refuses that one
 *   delivery for a whole day while accepting others.
 * Our own schedule rather than graphile-worker's retries: we choose the delays, record every
 * attempt for the seller, and a job that ends normally frees its slot at once. A job that throws
 * (a database error) is retried by graphile-worker as usual, and the attempt count makes a re-run
 * harmless. Delivery is at least once: a crash after the POST and before the commit sends again,
 * so receivers deduplicate by the Atelier-Delivery id.
 */
export function createDeliveryTask(deps: { stores: Stores; settings: WebhooksSettings; sender: Sender; log: Logger }): TaskHandler {
  const { stores, settings, sender } = deps;
  const windowMs = settings.retryWindowSeconds * 1000;
  return async (payload, ctx) => {
    const deliveryId = payload.deliveryId;
    if (typeof deliveryId !== 'string' || !isId(deliveryId)) throw new PermanentJobError('job payload has no valid deliveryId');
    const db = stores.shards.forId(deliveryId).db;
    const d = await repo.findDeliveryWithEndpoint(db, deliveryId);
    if (!d || d.status !== 'pending') return; // endpoint deleted, or already settled by an earlier run
    if (d.endpoint_status === 'disabled') {
      await repo.holdOne(db, d.id);
      return;
    }

    const attemptedAt = new Date();
    const outcome = await sender.send({ id: d.id, url: d.url, secret: d.secret, eventType: d.event_type, body: d.body });
    const attempt = d.attempts + 1;

    await db.transaction().execute(async (trx) => {
      // Still the attempt we made? A second run of this job (a lock that timed out) records nothing.
      if (!(await repo.lockPendingDelivery(trx, d.id, d.attempts))) return;
      const now = new Date();
      const base = { attempts: attempt, statusCode: outcome.statusCode, error: outcome.error };
      if (outcome.ok) {
        await repo.recordOutcome(trx, d.id, { ...base, status: 'delivered', nextAttemptAt: null, deliveredAt: now });
        await repo.markEndpointSucceeded(trx, d.endpoint_id, now);
      } else {
        const streak = await repo.markEndpointFailed(trx, d.endpoint_id, attemptedAt);
        const failingSince = streak?.failingSince ?? now;
        const nextAt = new Date(now.getTime() + jitteredBackoffMs(attempt, settings.retryBaseMs, settings.retryMaxDelayMs));
        // This delivery's window is used up and the endpoint accepted nothing since it began: that
        // too is an endpoint failing for a whole window (a lone event must not end "failed").
        const windowStart = d.retry_until.getTime() - windowMs;
        const deadForWindow = nextAt > d.retry_until && (!streak?.lastSuccessAt || streak.lastSuccessAt.getTime() < windowStart);
        if (now.getTime() - failingSince.getTime() >= windowMs || deadForWindow) {
          await repo.recordOutcome(trx, d.id, { ...base, status: 'held', nextAttemptAt: null });
          const reason =
            `Disabled on ${now.toISOString()}: every delivery attempt since ${failingSince.toISOString()} failed ` +
            `(last: ${outcome.error ?? 'unknown error'}). Undelivered events are kept; enable the endpoint to resume them.`;
          if (await repo.disableEndpoint(trx, d.endpoint_id, now, reason)) {
            const held = await repo.holdPending(trx, d.endpoint_id);
            ctx.log.warn(
              { endpointId: d.endpoint_id, sellerId: d.seller_id, held: held + 1 },
              'webhook endpoint disabled after persistent failure',
            );
          }
        } else if (nextAt > d.retry_until) {
          await repo.recordOutcome(trx, d.id, { ...base, status: 'failed', nextAttemptAt: null });
          ctx.log.warn(
            { deliveryId: d.id, endpointId: d.endpoint_id, attempts: attempt },
            'webhook delivery given up after its retry window',
          );
        } else {
          await repo.recordOutcome(trx, d.id, { ...base, status: 'pending', nextAttemptAt: nextAt });
          await enqueue(trx, attemptJob(d.id, nextAt));
        }
      }
      await repo.insertAttempt(trx, {
        delivery_id: d.id,
        attempt,
        seller_id: d.seller_id,
        attempted_at: attemptedAt,
        status_code: outcome.statusCode,
        error: outcome.error,
        duration_ms: outcome.durationMs,
      });
    });
  };
}
