/**
 * The notifications module: order and account emails, always sent from jobs. An email is enqueued inside the
 * transaction of the change it reports (so it exists if and only if the change committed), then
 * rendered and sent through nodemailer: SMTP when SMTP_URL is set, otherwise written as a file
 * into the outbox folder. The send job runs in a worker pool of its own (app/worker.ts) and, while
 * the mail server fails, reschedules itself with backoff and jitter behind a circuit breaker: an
 * email is delayed, never lost (notifications.resilience.ts).
 */
import type { Logger } from 'pino';
import { breakerStateOf, type BreakerState } from '../../platform/breaker-state.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { enqueue, PermanentJobError, type JobContext, type JobSpec, type TaskHandler } from '../../platform/queue/queue.ts';
import { jitteredBackoffMs } from '../../platform/queue/backoff.ts';
import { isDomainError } from '../../shared/errors.ts';
import { notificationsMigrations } from './notifications.migrations.ts';
import { BATCH_FIELD, checkEmail, createNotificationsService, SEND_EMAIL_TASK } from './notifications.service.ts';
import { createOutboxTransport, createSmtpTransport, type MailTransport } from './notifications.transports.ts';
import { createMailBreaker, DEFAULT_MAIL_RESILIENCE, isRetryable, type MailResilienceSettings } from './notifications.resilience.ts';
import { shardKeyOf, type Email } from './notifications.types.ts';

export type { AccountEmail, Email, OrderEmail } from './notifications.types.ts';
export { formatMoney, outboxFileName } from './notifications.render.ts';
export { SEND_EMAIL_TASK, notificationsMigrations, type MailResilienceSettings };

/** The payload field that counts a job's failed tries (the rest of the payload is the email). */
const RETRY_FIELD = 'failedTries';

export type NotificationsService = Readonly<{
  /**
   * The send job for an email: enqueue it inside the caller's transaction (`enqueue`, or with the
   * change's other jobs through `enqueueMany`), so it is sent after commit and never lost. The job
   * key is the message key. Throws (invalid, with the field) on an email that cannot be sent.
   */
  emailJob(email: Email): JobSpec;
  /**
   * One send job for several emails of one change (at least one), enqueued the same way: cheaper
   * than a job each; every message is still sent once, and one that fails waits on its own.
   */
  emailsJob(emails: readonly Email[]): JobSpec;
  /** Message keys already sent (outbox files or the sent log): for tests and invariant checks. */
  sentKeys(): Promise<ReadonlySet<string>>;
  /** The mail breaker's state: for metrics and tests. */
  breakerState(): BreakerState;
}>;

export type NotificationsModule = ModuleDefinition &
  Readonly<{
    service: NotificationsService;
    /**
     * The send job, which must run in a pool of its own: `tasks` holds it too (so one-shot runners
     * see every job), and the worker role gives it to the email pool only.
     */
    poolTasks: Readonly<Record<string, TaskHandler>>;
    close(): void;
  }>;

export function createNotifications(deps: {
  stores: Stores;
  settings: { smtpUrl: string | null; from: string; outboxDir: string } & Partial<MailResilienceSettings>;
  log: Logger;
}): NotificationsModule {
  const log = deps.log.child({ module: 'notifications' });
  const settings = { ...DEFAULT_MAIL_RESILIENCE, ...deps.settings };
  const transport: MailTransport = settings.smtpUrl
    ? createSmtpTransport(settings.smtpUrl, settings.timeoutMs)
    : createOutboxTransport(settings.outboxDir);
  const breaker = createMailBreaker(settings);
  const useCases = createNotificationsService({ stores: deps.stores, transport, breaker, from: settings.from, log });

  /**
   * One try at one email. While the mail server fails, the job schedules its next try itself (our
   * delays, with jitter, and no last attempt after which an email is dropped) and ends normally,
   * so its slot is free at once; the failed tries travel in the payload. Re-enqueueing under the
   * same job key while this job runs adds a new job (graphile-worker leaves a running job alone).
   */
  async function tryToSend(payload: Record<string, unknown>, ctx: JobContext): Promise<void> {
    const { [RETRY_FIELD]: tries, ...rest } = payload;
    const failedTries = typeof tries === 'number' && Number.isSafeInteger(tries) && tries > 0 ? tries : 0;
    let email: Email;
    try {
      email = checkEmail(rest);
    } catch (err) {
      // A payload that fails the schema will fail it on every retry.
      if (isDomainError(err)) throw new PermanentJobError(err.message);
      throw err;
    }
    try {
      await useCases.send(email);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const delay = jitteredBackoffMs(failedTries + 1, settings.retryBaseMs, settings.retryMaxDelayMs);
      ctx.log.info({ messageKey: email.messageKey, failedTries: failedTries + 1, delay, reason: (err as Error).message }, 'email delayed');
      const job = useCases.emailJob(email);
      await enqueue(deps.stores.shards.forId(shardKeyOf(email)).db, {
        ...job,
        payload: { ...job.payload, [RETRY_FIELD]: failedTries + 1 },
        runAt: new Date(Date.now() + delay),
      });
    }
  }

  /**
   * The send job: one email, or several (emailsJob), each tried in turn. In a batch, an email that
   * cannot be sent now is rescheduled on its own (above) and the rest go on. A re-run of the whole
   * batch (its worker died) sends nothing twice: every send is once per message key. A message that
   * can never be sent does not stop the others: the job fails permanently once they are done.
   */
  const sendTask: TaskHandler = async (payload, ctx) => {
    const batch = payload[BATCH_FIELD];
    if (!Array.isArray(batch)) return tryToSend(payload, ctx);
    const refused: string[] = [];
    for (const one of batch as unknown[]) {
      try {
        await tryToSend(typeof one === 'object' && one !== null ? (one as Record<string, unknown>) : {}, ctx);
      } catch (err) {
        if (!(err instanceof PermanentJobError)) throw err;
        refused.push(err.message);
      }
    }
    if (refused.length > 0)
      throw new PermanentJobError(`${refused.length} of ${batch.length} emails can never be sent: ${refused.join('; ')}`);
  };
  const poolTasks = { [SEND_EMAIL_TASK]: sendTask };

  return {
    name: 'notifications',
    migrations: notificationsMigrations,
    service: {
      emailJob: useCases.emailJob,
      emailsJob: useCases.emailsJob,
      sentKeys: useCases.sentKeys,
      breakerState: () => breakerStateOf(breaker),
    },
    tasks: poolTasks,
    poolTasks,
    close: () => transport.close(),
  };
}
