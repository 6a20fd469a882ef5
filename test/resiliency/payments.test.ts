import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAX_CHARGE_AMOUNT, startFakeProvider, type FakeProvider } from '../../src/modules/payments/index.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { listing, makeJobsDue, signUpMany, type Actor, type Listing } from '../checkout/support.ts';
import { allPaid, assertSettled, pendingJobs, placeOrders, sellerListed, statusesOf } from './outbound-support.ts';

/**
 * Resiliency matrix, payment provider (docs/resiliency.md): the simulated provider behind a TCP
 * fault proxy, so the faults are the network's (refused and reset connections, added latency,
 * flapping), not the simulator's own switches. Checkout answers 202 whatever the provider does;
 * every order is paid once the provider answers, and charged exactly once (the order id is the
 * provider's idempotency key).
 */
const TIMEOUT_MS = 2000;
let t: TestApp;
let provider: FakeProvider;
let proxy: FaultProxy;
let buyers: Actor[];
let item: Listing;

before(async () => {
  provider = await startFakeProvider();
  proxy = await startFaultProxy({ port: provider.port });
  t = await createTestApp({
    PAYMENT_PROVIDER_URL: `http://${proxy.address}`,
    PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS),
    // The breaker's open time (10 s by default) would be most of this file's run time.
    PAYMENT_BREAKER_HALF_OPEN_MS: '1000',
  });
  buyers = await signUpMany(t.server, 4);
  item = await listing(t, [{ price: 1500, stock: 100 }]);
});
after(async () => {
  await t?.close();
  await proxy?.close();
  await provider?.close();
});

const subject = () => ({ app: t.app, provider });
const chargesOf = (id: string) => provider.charges().filter((c) => c.reference === id).length;

/**
 * Makes retries due (the stand-in for waiting out the job's backoff) and runs them until every
 * order is paid. The breaker may stay open for its half-open delay after the fault ends.
 */
async function settle(ids: string[], timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await allPaid(t, ids))) {
    if (Date.now() > deadline) assert.fail(`not all paid: ${(await statusesOf(t, ids)).join(', ')}`);
    await makeJobsDue(t);
    await t.drainJobs();
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const id of ids) assert.equal(chargesOf(id), 1, `order ${id} charged ${chargesOf(id)} times`);
}

test('down: checkout keeps answering 202; orders wait in pending_payment and are paid once each when the provider is back', async () => {
  proxy.set({ kind: 'down' });
  const ids = await placeOrders(t.server, buyers, item);
  await t.drainJobs();
  assert.deepEqual(
    await statusesOf(t, ids),
    ids.map(() => 'pending_payment'),
  );
  assert.ok(proxy.stats().refused > 0, 'the payment job tried the provider');
  assert.notEqual(t.app.payments.service.breakerState(), 'closed', 'consecutive failures opened the breaker');
  assert.equal(provider.calls().charges, 0, 'nothing reached the provider');
  // The customer's view of an accepted order does not depend on the provider.
  const view = await t.server.inject({ method: 'GET', url: `/api/v1/orders/${ids[0]}`, headers: buyers[0]!.headers });
  assert.equal(view.statusCode, 200, view.body);
  // The seller's list shows paid orders only: not these yet.
  const listed = await sellerListed(t.server, item.seller);
  assert.ok(ids.every((id) => !listed.has(id)));
  await assertSettled(subject());

  proxy.set({ kind: 'up' });
  await settle(ids);
  // Once paid, the seller sees them (the seller index job ran after the payment).
  await t.drainJobs();
  const after = await sellerListed(t.server, item.seller);
  assert.ok(ids.every((id) => after.has(id)));
  await assertSettled(subject());
});

test('slow (latency well within the timeout): orders are paid on the first run of their job, one attempt each', async () => {
  proxy.set({ kind: 'latency', ms: 150 });
  try {
    const ids = await placeOrders(t.server, buyers, item);
    const started = performance.now();
    await t.drainJobs();
    assert.ok(performance.now() - started >= 300, 'each charge crossed the slow link');
    assert.deepEqual(
      await statusesOf(t, ids),
      ids.map(() => 'paid'),
    );
    for (const id of ids) {
      const attempts = await t.app.payments.service.attempts(id);
      assert.deepEqual(
        attempts.map((a) => a.status),
        ['succeeded'],
      );
      assert.equal(chargesOf(id), 1);
    }
  } finally {
    proxy.set({ kind: 'up' });
  }
  await assertSettled(subject());
});

test('slower than the timeout: the answer is lost after the charge, the retry replays the same key, each order is charged once', async (t2) => {
  // A fresh connection waits 800 ms and the request another 800 ms, so the provider records the
  // charge at about 1.6 s; its answer would take another 800 ms, past the 2 s timeout: the client
  // gives up. (Down for a moment first: it resets the kept-alive connections, so every attempt
  // opens a fresh one; a reused one would get its answer back in 1.6 s.)
  proxy.set({ kind: 'down' });
  proxy.set({ kind: 'latency', ms: 800 });
  const ids = await placeOrders(t.server, buyers.slice(0, 2), item);
  await t.drainJobs();
  assert.deepEqual(await statusesOf(t, ids), ['pending_payment', 'pending_payment']);
  const lostAnswers = ids.filter((id) => chargesOf(id) === 1).length;
  t2.diagnostic(`${lostAnswers} of ${ids.length} charges recorded by the provider while our client timed out`);
  assert.ok(lostAnswers >= 1, 'at least one charge went through with its answer lost');
  for (const id of ids) {
    const attempts = await t.app.payments.service.attempts(id);
    assert.ok(attempts.length >= 1 && attempts.every((a) => a.status === 'unavailable' && a.idempotencyKey === id));
  }
  proxy.set({ kind: 'up' });
  await settle(ids);
  await assertSettled(subject());
});

test('flapping: every order is paid eventually and charged exactly once', async (t2) => {
  proxy.set({ kind: 'flap', periodMs: 250 });
  const ids = await placeOrders(t.server, buyers, item);
  // A few seconds of retries while the link flaps; some get through, some do not.
  const until = Date.now() + 4000;
  while (Date.now() < until) {
    await makeJobsDue(t);
    await t.drainJobs();
    await new Promise((r) => setTimeout(r, 100));
  }
  const paidDuring = (await statusesOf(t, ids)).filter((s) => s === 'paid').length;
  t2.diagnostic(`${paidDuring} of ${ids.length} paid while the link flapped; breaker ${t.app.payments.service.breakerState()}`);
  for (const id of ids) assert.ok(chargesOf(id) <= 1);
  proxy.set({ kind: 'up' });
  await settle(ids);
  await assertSettled(subject());
});

/** The order's stock hold, the provider's charge calls and the customer's emails, as a permanent refusal leaves them. */
async function assertFailedAtOnce(id: string, callsBefore: number, reservedBefore: number): Promise<void> {
  assert.deepEqual(await statusesOf(t, [id]), ['payment_failed']);
  assert.ok(provider.calls().charges - callsBefore <= 1, 'asked the provider once at most: no retry');
  assert.deepEqual(await pendingJobs(t), {}, 'no payment retry left queued');
  assert.equal((await t.app.inventory.service.levels([item.variantIds[0]!]))[0]!.reserved, reservedBefore, 'its unit is released');
  assert.ok((await t.app.notifications.service.sentKeys()).has(`payment-failed:${id}`), 'the customer was told');
}

test('a permanent refusal by the provider fails the order at once: payment_failed, stock released, the customer told', async () => {
  proxy.set({ kind: 'up' });
  // A provider whose limit is lower than what checkout lets through: it answers 400, a final no.
  provider.configure({ maxAmount: 1000 });
  try {
    const reservedBefore = (await t.app.inventory.service.levels([item.variantIds[0]!]))[0]!.reserved;
    const callsBefore = provider.calls().charges;
    const [id] = await placeOrders(t.server, buyers.slice(0, 1), item);
    await t.drainJobs();
    await assertFailedAtOnce(id!, callsBefore, reservedBefore);
    assert.equal(provider.calls().charges, callsBefore + 1);
    assert.deepEqual(
      (await t.app.payments.service.attempts(id!)).map((a) => a.status),
      ['declined'],
    );
  } finally {
    provider.configure({ maxAmount: MAX_CHARGE_AMOUNT });
  }
  await assertSettled(subject());
});

test('an order above the payment limit that reached the payment job (placed before checkout refused such totals) fails at once', async () => {
  const reservedBefore = (await t.app.inventory.service.levels([item.variantIds[0]!]))[0]!.reserved;
  const callsBefore = provider.calls().charges;
  const [id] = await placeOrders(t.server, buyers.slice(0, 1), item);
  // As if placed before checkout checked the limit: a total the provider is sure to refuse.
  await t.app.stores.shards.forId(id!).pool.query('update orders set total = $2 where id = $1', [id, MAX_CHARGE_AMOUNT + 1]);
  await t.drainJobs();
  // payments does not even ask the provider: it used to throw, and the job retried until the deadline.
  assert.equal(provider.calls().charges, callsBefore);
  await assertFailedAtOnce(id!, callsBefore, reservedBefore);
  await assertSettled(subject());
});
