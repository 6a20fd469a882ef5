import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { enqueue, PermanentJobError, type JobContext } from '../../platform/queue/queue.ts';
import { newCustomerId, newShardedId, shardOfId } from '../../shared/ids.ts';
import { createNotifications, formatMoney, SEND_EMAIL_TASK, type OrderEmail } from './index.ts';
import { startLocalSmtp, unfold, type LocalSmtp } from './notifications.test-support.ts';

const ctx: JobContext = { database: 'test', jobId: '1', attempt: 1, maxAttempts: 25, log: pino({ level: 'silent' }) };

function orderEmail(overrides: Partial<OrderEmail> = {}): OrderEmail {
  const orderId = newShardedId(shardOfId(newCustomerId(16)));
  return {
    messageKey: `order-confirmation:${orderId}`,
    to: 'ada@example.test',
    kind: 'order-confirmation',
    orderId,
    customerName: 'Ada Maker',
    lines: [
      { title: 'Indigo mug', quantity: 2, unitPrice: 1250 },
      { title: 'Linen apron', quantity: 1, unitPrice: 4005 },
    ],
    total: 6505,
    currency: 'USD',
    ...overrides,
  };
}

/** A paid order's two emails, as the payment job sends them in one job: the confirmation and the seller's. */
function oneOrdersEmails(): [OrderEmail, OrderEmail] {
  const confirmation = orderEmail();
  const seller = orderEmail({
    orderId: confirmation.orderId,
    kind: 'seller-new-order',
    messageKey: `seller-new-order:${newShardedId(shardOfId(confirmation.orderId))}`,
    to: 'maker@example.test',
  });
  return [confirmation, seller];
}

test('formatMoney: minor units to "12.50 USD", by the currency\'s digits, no float rounding', () => {
  assert.equal(formatMoney(1250, 'USD'), '12.50 USD');
  assert.equal(formatMoney(5, 'EUR'), '0.05 EUR');
  assert.equal(formatMoney(0, 'USD'), '0.00 USD');
  assert.equal(formatMoney(1250, 'JPY'), '1250 JPY');
  assert.equal(formatMoney(1234567, 'BHD'), '1234.567 BHD');
  assert.equal(formatMoney(10_000_000_000, 'USD'), '100000000.00 USD');
});

describe('notifications on real PostgreSQL', () => {
  let t: TestApp;
  let outboxDir: string;
  before(async () => {
    t = await createTestApp();
    outboxDir = t.app.config.mail.outboxDir;
  });
  after(async () => {
    await t?.close();
  });

  const shardFor = (email: OrderEmail) => t.app.stores.shards.forId(email.orderId).db;
  const jobsFor = async (db: Kysely<unknown>, key: string) =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from graphile_worker.jobs where key = ${`${SEND_EMAIL_TASK}:${key}`}`.execute(db)
    ).rows[0]!.n;
  const outboxFiles = async () => (await readdir(outboxDir).catch(() => [] as string[])).filter((f) => !f.startsWith('.'));

  test('enqueued twice in the order transaction: one job, one file; a re-run of the job still one file', async () => {
    const email = orderEmail();
    await t.app.stores.shards
      .forId(email.orderId)
      .db.transaction()
      .execute(async (trx) => {
        await enqueue(trx, t.app.notifications.service.emailJob(email));
        await enqueue(trx, t.app.notifications.service.emailJob(email));
      });
    assert.equal(await jobsFor(shardFor(email), email.messageKey), 1);
    await t.drainJobs();
    const name = `${encodeURIComponent(email.messageKey)}`;
    assert.deepEqual(
      (await outboxFiles()).filter((f) => f.startsWith(name)),
      [`${name}.eml`],
    );
    // The worker was killed after sending and the job runs again.
    await t.app.notifications.tasks![SEND_EMAIL_TASK]!(email as unknown as Record<string, unknown>, ctx);
    assert.deepEqual(
      (await outboxFiles()).filter((f) => f.startsWith(name)),
      [`${name}.eml`],
    );
    assert.ok((await t.app.notifications.service.sentKeys()).has(email.messageKey));

    const raw = unfold(await readFile(path.join(outboxDir, `${name}.eml`), 'utf8'));
    assert.match(raw, /^To: ada@example\.test$/m);
    assert.match(raw, /^From: Atelier <orders@atelier\.test>$/m);
    assert.match(raw, /^Subject: Your Atelier order [0-9A-F]{8} is confirmed$/m);
    assert.ok(raw.includes(`Message-ID: <${email.messageKey.replace(':', '.')}@atelier.test>`));
    assert.ok(raw.includes('2 x Indigo mug @ 12.50 USD = 25.00 USD'), raw);
    assert.ok(raw.includes('1 x Linen apron @ 40.05 USD = 40.05 USD'));
    assert.ok(raw.includes('Total: 65.05 USD'));
    assert.ok(raw.includes('Hello Ada Maker,'));

    // Recorded in the order's shard, and only there.
    for (const shard of t.app.stores.shards.databases) {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from notifications_sent where message_key = ${email.messageKey}`.execute(shard.db);
      assert.equal(rows[0]!.n, shard.name === t.app.stores.shards.forId(email.orderId).name ? 1 : 0);
    }
  });

  test('a rolled-back transaction leaves no job and sends nothing', async () => {
    const email = orderEmail();
    await assert.rejects(
      shardFor(email)
        .transaction()
        .execute(async (trx) => {
          await enqueue(trx, t.app.notifications.service.emailJob(email));
          throw new Error('checkout failed');
        }),
      /checkout failed/,
    );
    assert.equal(await jobsFor(shardFor(email), email.messageKey), 0);
  });

  test('an email that cannot be sent is refused at enqueue with the field, nothing queued', async () => {
    const cases: Array<[Partial<OrderEmail>, string]> = [
      [{ to: 'not an address' }, 'to'],
      [{ messageKey: '../../etc/passwd' }, 'messageKey'],
      [{ total: -1 }, 'total'],
      [{ currency: 'usd' }, 'currency'],
      [{ lines: [{ title: 'x', quantity: 0, unitPrice: 1 }] }, 'lines.0.quantity'],
      [{ kind: 'newsletter' as OrderEmail['kind'] }, 'kind'],
    ];
    for (const [change, field] of cases) {
      const email = orderEmail(change);
      await assert.rejects(
        shardFor(email)
          .transaction()
          .execute((trx) => enqueue(trx, t.app.notifications.service.emailJob(email))),
        (err: { code?: string; field?: string }) => err.code === 'NOTIFICATIONS_INVALID_EMAIL' && err.field === field,
        field,
      );
      assert.equal(await jobsFor(shardFor(email), email.messageKey), 0);
    }
  });

  test('display text with line breaks is tidied, not refused (refusing would fail the caller)', async () => {
    const email = orderEmail({
      customerName: 'Eve\r\nBcc: all@example.test',
      lines: [{ title: 'Mug\nwith\ttab', quantity: 1, unitPrice: 100 }],
    });
    await shardFor(email)
      .transaction()
      .execute((trx) => enqueue(trx, t.app.notifications.service.emailJob(email)));
    await t.drainJobs();
    const raw = unfold(await readFile(path.join(outboxDir, `${encodeURIComponent(email.messageKey)}.eml`), 'utf8'));
    assert.ok(raw.includes('Hello Eve Bcc: all@example.test,'));
    assert.ok(raw.includes('1 x Mug with tab @ 1.00 USD = 1.00 USD'));
    assert.doesNotMatch(raw, /^Bcc:/m);
  });

  test('several emails in one job: one job, a file per message, a re-run leaves one file each', async () => {
    const [confirmation, seller] = oneOrdersEmails();
    const job = t.app.notifications.service.emailsJob([confirmation, seller]);
    await shardFor(confirmation)
      .transaction()
      .execute(async (trx) => {
        await enqueue(trx, job);
        await enqueue(trx, t.app.notifications.service.emailsJob([confirmation, seller]));
      });
    assert.equal(await jobsFor(shardFor(confirmation), `batch:${confirmation.messageKey}`), 1);
    await t.drainJobs();
    const names = [confirmation, seller].map((e) => `${encodeURIComponent(e.messageKey)}.eml`);
    const files = async () => (await outboxFiles()).filter((f) => names.includes(f)).sort();
    assert.deepEqual(await files(), [...names].sort());
    await t.app.notifications.tasks![SEND_EMAIL_TASK]!(job.payload as Record<string, unknown>, ctx);
    assert.deepEqual(await files(), [...names].sort());
    const sent = await t.app.notifications.service.sentKeys();
    assert.ok(sent.has(confirmation.messageKey) && sent.has(seller.messageKey));
    // One email: the plain single-email job.
    assert.deepEqual(t.app.notifications.service.emailsJob([confirmation]), t.app.notifications.service.emailJob(confirmation));
  });

  test('a batch with a message that can never be sent sends the others, then fails permanently', async () => {
    const good = orderEmail();
    await assert.rejects(
      t.app.notifications.tasks![SEND_EMAIL_TASK]!({ emails: [{ ...orderEmail(), kind: 'spam' }, good] }, ctx),
      (err: Error) => err instanceof PermanentJobError && /1 of 2 emails/.test(err.message),
    );
    assert.ok((await t.app.notifications.service.sentKeys()).has(good.messageKey));
  });

  test('a job with a payload that can never be sent fails permanently', async () => {
    await assert.rejects(
      t.app.notifications.tasks![SEND_EMAIL_TASK]!({ ...orderEmail(), kind: 'spam' } as unknown as Record<string, unknown>, ctx),
      PermanentJobError,
    );
  });

  describe('SMTP', () => {
    let smtp: LocalSmtp;
    before(async () => {
      smtp = await startLocalSmtp();
    });
    after(async () => {
      await smtp?.close();
    });

    /** Notifications sending through `smtpUrl` (a closed port for a server that is down). */
    const mailVia = (smtpUrl: string, extra: { retryBaseMs?: number } = {}) =>
      createNotifications({
        stores: t.app.stores,
        settings: { smtpUrl, from: 'Atelier <orders@atelier.test>', outboxDir: '/nonexistent', ...extra },
        log: pino({ level: 'silent' }),
      });

    test('sends once: a re-run after success (even concurrent ones) sends nothing more', async () => {
      const mail = mailVia(smtp.url);
      const email = orderEmail({ kind: 'seller-new-order', messageKey: `seller-new-order:${newShardedId(3)}`, to: 'maker@example.test' });
      const run = () => mail.tasks![SEND_EMAIL_TASK]!(email as unknown as Record<string, unknown>, ctx);
      await run();
      await Promise.all([run(), run(), run()]);
      const got = smtp.received.map(unfold).filter((m) => m.includes(`X-Atelier-Message-Key: ${email.messageKey}`));
      assert.equal(got.length, 1);
      assert.match(got[0]!, /^Subject: New order [0-9A-F]{8}$/m);
      assert.match(got[0]!, /^To: maker@example\.test$/m);
      assert.ok(got[0]!.includes('Total: 65.05 USD'));
      assert.ok((await mail.service.sentKeys()).has(email.messageKey));
      mail.close();
    });

    test('several emails in one job: each arrives once, whatever re-runs of the job (even concurrent ones)', async () => {
      const mail = mailVia(smtp.url);
      const [confirmation, seller] = oneOrdersEmails();
      const run = () =>
        mail.tasks![SEND_EMAIL_TASK]!(mail.service.emailsJob([confirmation, seller]).payload as Record<string, unknown>, ctx);
      await run();
      await Promise.all([run(), run(), run()]);
      const arrived = (key: string) => smtp.received.map(unfold).filter((m) => m.includes(`X-Atelier-Message-Key: ${key}`)).length;
      assert.deepEqual([arrived(confirmation.messageKey), arrived(seller.messageKey)], [1, 1]);
      mail.close();
    });

    test('an SMTP server that is down: the job records nothing and schedules its next try itself, later each time', async () => {
      const mail = mailVia('smtp://127.0.0.1:1', { retryBaseMs: 60_000 });
      const email = orderEmail();
      const next = async () => {
        const { rows } = await t.app.stores.shards
          .forId(email.orderId)
          .pool.query<{ payload: Record<string, unknown>; run_at: Date }>(
            'select payload, run_at from graphile_worker._private_jobs where key = $1',
            [`${SEND_EMAIL_TASK}:${email.messageKey}`],
          );
        assert.equal(rows.length, 1, 'one pending job for the email');
        return { tries: rows[0]!.payload.failedTries, inMs: rows[0]!.run_at.getTime() - Date.now() };
      };
      await mail.tasks![SEND_EMAIL_TASK]!(email as unknown as Record<string, unknown>, ctx);
      assert.equal((await mail.service.sentKeys()).has(email.messageKey), false);
      const first = await next();
      assert.equal(first.tries, 1);
      // Jittered within [base/2, base].
      assert.ok(first.inMs > 25_000 && first.inMs <= 60_000, `first retry in ${first.inMs} ms`);
      await mail.tasks![SEND_EMAIL_TASK]!({ ...email, failedTries: 1 } as unknown as Record<string, unknown>, ctx);
      const second = await next();
      assert.equal(second.tries, 2);
      assert.ok(second.inMs > 55_000 && second.inMs <= 120_000, `second retry in ${second.inMs} ms`);
      mail.close();
    });

    test('an SMTP server that is down: each email of a batch gets its own next try', async () => {
      const mail = mailVia('smtp://127.0.0.1:1', { retryBaseMs: 60_000 });
      const first = orderEmail();
      const second = orderEmail({ orderId: first.orderId, messageKey: `seller-new-order:${newShardedId(shardOfId(first.orderId))}` });
      await mail.tasks![SEND_EMAIL_TASK]!(mail.service.emailsJob([first, second]).payload as Record<string, unknown>, ctx);
      const { rows } = await t.app.stores.shards
        .forId(first.orderId)
        .pool.query<{ key: string; tries: number }>(
          "select key, (payload->>'failedTries')::int as tries from graphile_worker._private_jobs where key = any($1) order by key",
          [[first, second].map((e) => `${SEND_EMAIL_TASK}:${e.messageKey}`)],
        );
      assert.deepEqual(
        rows,
        [first, second].map((e) => ({ key: `${SEND_EMAIL_TASK}:${e.messageKey}`, tries: 1 })).sort((a, b) => a.key.localeCompare(b.key)),
      );
      mail.close();
    });
  });
});
