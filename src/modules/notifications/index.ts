// STUB: the notifications engineer replaces the implementation, keeping these names and types.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';

/** Everything an email needs travels in the job, so notifications never reads other modules' data. */
export type OrderEmail = Readonly<{
  /** Unique per message: a re-run of the job with the same key never sends a second email. */
  messageKey: string;
  to: string;
  kind: 'order-confirmation' | 'seller-new-order' | 'order-refunded' | 'order-cancelled' | 'payment-failed';
  orderId: string;
  customerName: string;
  lines: ReadonlyArray<{ title: string; quantity: number; unitPrice: number }>;
  total: number;
  currency: string;
}>;

export type NotificationsService = Readonly<{
  /** Enqueues the email as a job inside the caller's transaction (sent after commit, never lost). */
  enqueueEmail(trx: Kysely<unknown>, email: OrderEmail): Promise<void>;
  /** Message keys already sent (outbox files or the sent log): for tests and invariant checks. */
  sentKeys(): Promise<ReadonlySet<string>>;
}>;

export type NotificationsModule = ModuleDefinition & Readonly<{ service: NotificationsService }>;
export const notificationsMigrations: ModuleMigrations = { module: 'notifications' };

export function createNotifications(_deps: {
  stores: Stores;
  settings: { smtpUrl: string | null; from: string; outboxDir: string };
  log: Logger;
}): NotificationsModule {
  const notYet = async (): Promise<never> => {
    throw new Error('notifications not built yet');
  };
  return { name: 'notifications', migrations: notificationsMigrations, service: { enqueueEmail: notYet, sentKeys: notYet } };
}
