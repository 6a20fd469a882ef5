import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { view } from '../../platform/postgres/database.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { JobSpec } from '../../platform/queue/queue.ts';
import { notificationsErrors } from './notifications.errors.ts';
import { renderEmail } from './notifications.render.ts';
import { listSentKeys, lockMessageKey, markSent, wasSent, type NotificationTables } from './notifications.repository.ts';
import { AccountEmailSchema, OrderEmailSchema } from './notifications.schemas.ts';
import type { MailTransport } from './notifications.transports.ts';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { shardKeyOf, type AccountEmail, type Email, type OrderEmail } from './notifications.types.ts';

export const SEND_EMAIL_TASK = 'notifications.send-email';

/** Throws NOTIFICATIONS_INVALID_EMAIL naming the first field at fault. */
export function checkEmail(value: unknown): Email {
  // An order email names its order; anything else is checked as an account email, so the error
  // names a field of the one schema the caller meant rather than "matches no member of the union".
  const isOrder = typeof value === 'object' && value !== null && 'orderId' in value;
  const schema = isOrder ? OrderEmailSchema : AccountEmailSchema;
  if (Value.Check(schema, value)) return value as Email;
  const first = Value.Errors(schema, value).First();
  const field = first ? first.path.replace(/^\//, '').replace(/\//g, '.') || 'email' : 'email';
  throw notificationsErrors.invalidEmail(field, first?.message ?? 'is invalid');
}

const CONTROL = /[\u0000-\u001f\u007f]+/g;
const clean = (text: string, max: number) => [...text.replace(CONTROL, ' ')].slice(0, max).join('');

/**
 * Display text (names, titles) comes from other modules' rules, which may allow line breaks or
 * longer text than a mail line wants: it is tidied rather than refused, because refusing would
 * fail the caller's transaction (an order that cannot be marked paid over a customer's name).
 */
function tidy(email: Email): Email {
  if (typeof email === 'object' && email !== null && 'accountId' in email) {
    const account: AccountEmail = email;
    return typeof account.name === 'string' ? { ...account, name: clean(account.name, 200) } : account;
  }
  return tidyOrder(email);
}

function tidyOrder(email: OrderEmail): OrderEmail {
  // Callers are typed, but a payload may come from anywhere: only tidy what has the right shape.
  const lines: unknown = (email as { lines?: unknown } | null)?.lines;
  if (typeof email !== 'object' || email === null || !Array.isArray(lines)) return email;
  type Line = OrderEmail['lines'][number];
  return {
    ...email,
    customerName: typeof email.customerName === 'string' ? clean(email.customerName, 200) : email.customerName,
    lines: (lines as Array<Line | null>).map((l) => (l && typeof l.title === 'string' ? { ...l, title: clean(l.title, 300) || '-' } : l!)),
  };
}

/** The send job for one email, for callers that enqueue it with other jobs in one call. */
function emailJob(email: Email): JobSpec {
  const checked = checkEmail(tidy(email));
  // The job key is the message key: enqueueing the same email twice before it runs keeps one job.
  return {
    task: SEND_EMAIL_TASK,
    payload: checked as unknown as Record<string, unknown>,
    jobKey: `${SEND_EMAIL_TASK}:${checked.messageKey}`,
  };
}

/** The payload field of a job that carries several emails (emailsJob). */
export const BATCH_FIELD = 'emails';

/**
 * One send job for several emails of one change (an order's confirmation and its sellers' new-order
 * emails): one job to fetch, run and complete instead of one per message, which is most of what a
 * message costs the queue. Each message is still sent once per message key, and one that fails is
 * rescheduled on its own as a single-email job (index.ts), so the others are not held back.
 * Keyed by its first message, under "batch:" so a retry of that message (keyed by the message)
 * never meets it.
 */
function emailsJob(emails: readonly Email[]): JobSpec {
  if (emails.length === 0) throw new Error('emailsJob needs at least one email');
  if (emails.length === 1) return emailJob(emails[0]!);
  const checked = emails.map((e) => checkEmail(tidy(e)));
  return {
    task: SEND_EMAIL_TASK,
    payload: { [BATCH_FIELD]: checked as unknown as Array<Record<string, unknown>> },
    jobKey: `${SEND_EMAIL_TASK}:batch:${checked[0]!.messageKey}`,
  };
}

export type NotificationsUseCases = Readonly<{
  /** The send job for an email, to enqueue in the caller's transaction. Throws on a malformed email. */
  emailJob(email: Email): JobSpec;
  /** One send job for several emails (at least one). Throws on a malformed email. */
  emailsJob(emails: readonly Email[]): JobSpec;
  sentKeys(): Promise<ReadonlySet<string>>;
  /** The job: render and send once per message key. */
  send(email: Email): Promise<'sent' | 'already_sent'>;
}>;

export function createNotificationsService(deps: {
  stores: Stores;
  transport: MailTransport;
  /** Around every send (notifications.resilience.ts): an open breaker fails a send before it opens a transaction. */
  breaker: CircuitBreakerPolicy;
  from: string;
  log: Logger;
}): NotificationsUseCases {
  const { stores, transport, breaker, from, log } = deps;
  const shardDb = (shardKey: string) => view<NotificationTables>(stores.shards.forId(shardKey).db);

  return {
    emailJob,
    emailsJob,

    async sentKeys() {
      const fromTransport = await transport.listSentKeys();
      if (fromTransport) return fromTransport;
      const keys = new Set<string>();
      for (const shard of stores.shards.databases) {
        for (const k of await listSentKeys(view<NotificationTables>(shard.db))) keys.add(k);
      }
      return keys;
    },

    async send(email) {
      const message = renderEmail(email, from);
      const db = shardDb(shardKeyOf(email));
      const row = { message_key: email.messageKey, kind: email.kind, recipient: email.to };
      if (transport.idempotentPerKey) {
        // The outbox overwrites by key, so a re-run cannot duplicate; the log is for the record.
        await breaker.execute(() => transport.send(message));
        await markSent(db, row);
        return 'sent';
      }
      // SMTP cannot take a message back: check the log under a per-key lock, send, then log, all
      // before the lock is released. A crash between send and commit can still resend once (at
      // least once is the best any SMTP client can promise), but two workers never both send.
      // The breaker is outside the transaction: while it is open, no connection is taken.
      return breaker.execute(() =>
        db.transaction().execute(async (trx) => {
          await lockMessageKey(trx, email.messageKey);
          if (await wasSent(trx, email.messageKey)) {
            log.info({ messageKey: email.messageKey }, 'email already sent; skipping');
            return 'already_sent' as const;
          }
          await transport.send(message);
          await markSent(trx, row);
          return 'sent' as const;
        }),
      );
    },
  };
}
