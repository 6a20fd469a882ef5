/**
 * The notifications module: order emails, always sent from jobs. An email is enqueued inside the
 * transaction of the change it reports (so it exists if and only if the change committed), then
 * rendered and sent through nodemailer: SMTP when SMTP_URL is set, otherwise written as a file
 * into the outbox folder.
 */
import type { Logger } from 'pino';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { PermanentJobError, type JobSpec } from '../../platform/queue/queue.ts';
import { isDomainError } from '../../shared/errors.ts';
import { notificationsMigrations } from './notifications.migrations.ts';
import { checkEmail, createNotificationsService, SEND_EMAIL_TASK } from './notifications.service.ts';
import { createOutboxTransport, createSmtpTransport, type MailTransport } from './notifications.transports.ts';
import type { OrderEmail } from './notifications.types.ts';

export type { OrderEmail } from './notifications.types.ts';
export { formatMoney, outboxFileName } from './notifications.render.ts';
export { SEND_EMAIL_TASK, notificationsMigrations };

export type NotificationsService = Readonly<{
  /**
   * The send job for an email: enqueue it inside the caller's transaction (`enqueue`, or with the
   * change's other jobs through `enqueueMany`), so it is sent after commit and never lost. The job
   * key is the message key. Throws (invalid, with the field) on an email that cannot be sent.
   */
  emailJob(email: OrderEmail): JobSpec;
  /** Message keys already sent (outbox files or the sent log): for tests and invariant checks. */
  sentKeys(): Promise<ReadonlySet<string>>;
}>;

export type NotificationsModule = ModuleDefinition & Readonly<{ service: NotificationsService; close(): void }>;

export function createNotifications(deps: {
  stores: Stores;
  settings: { smtpUrl: string | null; from: string; outboxDir: string };
  log: Logger;
}): NotificationsModule {
  const log = deps.log.child({ module: 'notifications' });
  const transport: MailTransport = deps.settings.smtpUrl
    ? createSmtpTransport(deps.settings.smtpUrl)
    : createOutboxTransport(deps.settings.outboxDir);
  const useCases = createNotificationsService({ stores: deps.stores, transport, from: deps.settings.from, log });
  return {
    name: 'notifications',
    migrations: notificationsMigrations,
    service: { emailJob: useCases.emailJob, sentKeys: useCases.sentKeys },
    tasks: {
      [SEND_EMAIL_TASK]: async (payload) => {
        let email: OrderEmail;
        try {
          email = checkEmail(payload);
        } catch (err) {
          // A payload that fails the schema will fail it on every retry.
          if (isDomainError(err)) throw new PermanentJobError(err.message);
          throw err;
        }
        await useCases.send(email);
      },
    },
    close: () => transport.close(),
  };
}
