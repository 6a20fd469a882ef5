import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorkerRole } from '../../src/app/worker.ts';
import type { Workers } from '../../src/platform/queue/queue.ts';
import { startLocalSmtp, unfold, type LocalSmtp } from '../../src/modules/notifications/notifications.test-support.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { listing, type Actor, type Listing } from '../checkout/support.ts';
import { allPaid, assertSettled, buyersBeside, countBy, pendingJobs, placeOrders, statusesOf, waitFor } from './outbound-support.ts';

/**
 * Resiliency matrix, SMTP (docs/resiliency.md): a local SMTP server behind a TCP fault proxy, and
 * the worker role's real pools running the jobs (a test-side "run what is due" pass would chase
 * the short retry delays for as long as the fault lasts). Whatever the mail server does, orders
 * are paid; their emails wait and are sent exactly once when it answers again, none lost, none
 * twice. And a crawling mail server fills only the email worker pool: an order placed meanwhile
 * is paid and its stock committed at once.
 */
const TIMEOUT_MS = 1500;
let t: TestApp;
let smtp: LocalSmtp;
let proxy: FaultProxy;
let item: Listing;
let buyers: Actor[];
let workers: Workers | null = null;

before(async () => {
  smtp = await startLocalSmtp();
  proxy = await startFaultProxy({ port: Number(new URL(smtp.url).port) });
  t = await createTestApp({
    SMTP_URL: `smtp://${proxy.address}`,
    SMTP_TIMEOUT_MS: String(TIMEOUT_MS),
    MAIL_RETRY_BASE_MS: '100',
    MAIL_RETRY_MAX_DELAY_MS: '400',
    MAIL_CONCURRENCY: '1',
    WORKER_CONCURRENCY: '2',
  });
  item = await listing(t, [{ price: 3100, stock: 100 }]);
  // On the seller's database: graphile-worker runs a pool per database, so only jobs there compete.
  buyers = await buyersBeside(t, item.seller.id, 3);
  workers = await startWorkerRole(t.app);
});
after(async () => {
  await workers?.stop();
  await t?.close();
  await proxy?.close();
  await smtp?.close();
});

/** What the SMTP server got, counted per message key; with `orderIds`, only the emails of those orders. */
function receivedKeys(orderIds?: readonly string[]): Map<string, number> {
  const messages = smtp.received.map(unfold).filter((m) => !orderIds || orderIds.some((id) => m.includes(id)));
  return countBy(messages, (m) => /^X-Atelier-Message-Key: (.+)$/m.exec(m)?.[1]?.trim() ?? 'no key');
}

const confirmation = (id: string) => `order-confirmation:${id}`;
const emailJobsLeft = async () => (await pendingJobs(t))['notifications.send-email'] ?? 0;
const arrivedFor = (ids: string[]) => smtp.received.filter((m) => ids.some((id) => m.includes(id))).length;

/**
 * Waits until every email is sent (no email job left, every confirmation logged); then each key
 * arrived exactly once, or with `atLeastOnce`, at least once (see the flapping test).
 */
async function assertEmailedOnce(ids: string[], atLeastOnce = false): Promise<number> {
  await waitFor('every email sent', async () => {
    if ((await emailJobsLeft()) > 0) return false;
    const sent = await t.app.notifications.service.sentKeys();
    return ids.every((id) => sent.has(confirmation(id)));
  });
  const got = receivedKeys();
  for (const id of ids) {
    const n = got.get(confirmation(id)) ?? 0;
    assert.ok(atLeastOnce ? n >= 1 : n === 1, `confirmation of ${id} arrived ${n} times`);
  }
  // Only these orders' emails: the flapping test may have had one of its own sent twice (at least once there).
  const twice = [...receivedKeys(ids)].filter(([, n]) => n > 1);
  if (!atLeastOnce) assert.deepEqual(twice, [], 'no email arrived twice');
  // The sent log and the server agree: nothing logged that did not arrive, nothing arrived unlogged.
  assert.deepEqual([...(await t.app.notifications.service.sentKeys())].sort(), [...got.keys()].sort());
  await assertSettled(t);
  return twice.length;
}

test('down: orders are paid; their emails wait (breaker open) and are sent exactly once when SMTP is back', async () => {
  proxy.set({ kind: 'down' });
  const ids = await placeOrders(t.server, buyers, item);
  await waitFor('every order paid', () => allPaid(t, ids));
  // Retries while it stays down: failed tries, the breaker opens, nothing is sent.
  await waitFor('the mail breaker open', () => t.app.notifications.service.breakerState() === 'open');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(arrivedFor(ids), 0);
  const sent = await t.app.notifications.service.sentKeys();
  assert.ok(ids.every((id) => !sent.has(confirmation(id))));
  assert.ok((await emailJobsLeft()) >= ids.length, 'the emails are still owed');

  proxy.set({ kind: 'up' });
  await assertEmailedOnce(ids);
});

test('slow (40 ms added each way, every SMTP exchange slowed): emails take longer and are sent exactly once', async () => {
  proxy.set({ kind: 'latency', ms: 40 });
  try {
    const ids = await placeOrders(t.server, buyers.slice(0, 2), item);
    await assertEmailedOnce(ids);
  } finally {
    proxy.set({ kind: 'up' });
  }
});

test('hung past the timeout (accepts, never greets): each try gives up after SMTP_TIMEOUT_MS; sent once when it answers', async () => {
  proxy.set({ kind: 'hang' });
  const accepted = proxy.stats().accepted;
  const ids = await placeOrders(t.server, buyers.slice(0, 2), item);
  // Paid while every send hangs: the payment jobs are in the main pool, the sends in their own.
  await waitFor('every order paid', () => allPaid(t, ids));
  // A hung try ends at the timeout and the email is tried again: more connections than emails.
  await waitFor('hung sends given up and tried again', () => proxy.stats().accepted - accepted > 2 * ids.length, 20_000);
  assert.equal(arrivedFor(ids), 0);
  assert.ok((await emailJobsLeft()) >= ids.length, 'the emails are still owed');
  proxy.set({ kind: 'up' });
  await assertEmailedOnce(ids);
});

test('flapping (down and up every 200 ms): every email is sent, and logged as sent once', async (t2) => {
  proxy.set({ kind: 'flap', periodMs: 200 });
  let ids: string[];
  try {
    ids = await placeOrders(t.server, buyers, item);
    await waitFor('every order paid', () => allPaid(t, ids));
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    proxy.set({ kind: 'up' });
  }
  // At least once here: a connection reset after the server accepted a message and before its
  // answer reached us makes that try a failure, and the retry sends it again (SMTP cannot take a
  // message back). Down, hung or slow links never cut a conversation in that window.
  const twice = await assertEmailedOnce(ids, true);
  t2.diagnostic(`${twice} email(s) arrived twice`);
});

test('the email pool is a bulkhead: while SMTP crawls, an order placed meanwhile is paid and its stock committed before any earlier email gets through', async (t2) => {
  const own = await listing(t, [{ price: 700, stock: 10 }]);
  const [first, second] = await buyersBeside(t, own.seller.id, 2);
  // Sign-up queues a verification email per account: let those through before the link slows, so
  // what is counted below is the orders' emails only.
  await waitFor('the sign-up emails sent', async () => (await emailJobsLeft()) === 0);
  // 500 ms each way on every exchange: an email takes several seconds, and no single wait passes the timeout.
  proxy.set({ kind: 'latency', ms: 500 });
  let a: string, b: string;
  try {
    const before = smtp.received.length;
    [a] = (await placeOrders(t.server, [first!], own)) as [string];
    await waitFor('the first order paid', async () => (await statusesOf(t, [a]))[0] === 'paid');
    [b] = (await placeOrders(t.server, [second!], own)) as [string];
    const ms = await waitFor('the second order paid and its stock committed', async () => {
      if ((await statusesOf(t, [b]))[0] !== 'paid') return false;
      const [level] = await t.app.inventory.service.levels([own.variantIds[0]!]);
      return level!.sold === 2 && level!.reserved === 0;
    });
    const through = smtp.received.length - before;
    t2.diagnostic(`second order settled ${ms} ms after it was placed; emails through by then: ${through}`);
    assert.equal(through, 0, 'the emails of the first order were still on the slow link');
  } finally {
    proxy.set({ kind: 'up' });
  }
  await assertEmailedOnce([a, b]);
});
