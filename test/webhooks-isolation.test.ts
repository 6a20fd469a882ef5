import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collectTasks, startWorkerRole } from '../src/app/worker.ts';
import { startWorkers, type Workers } from '../src/platform/queue/queue.ts';
import { startReceiver, type Receiver } from '../src/modules/webhooks/webhooks.test-support.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { listing, type Actor, type Listing } from './checkout/support.ts';
import { buyersBeside, placeOrders, waitFor } from './resiliency/outbound-support.ts';

/**
 * The webhook bulkhead, with real worker pools: a seller's endpoint that takes 3 s per call keeps
 * the webhook pool busy, and an order placed meanwhile is still paid, emailed and its stock
 * committed at once. The same scenario with the webhook job in the main pool (what we had before
 * the pool of its own) shows the delay the bulkhead prevents, so this test would notice losing it.
 */
const SLOW_MS = 3000;
const ENDPOINTS = 3;
let t: TestApp;
let receiver: Receiver;
let shop: Listing;
let buyer: Actor;
let workers: Workers | null = null;

before(async () => {
  t = await createTestApp({
    WEBHOOKS_ALLOW_INSECURE: 'true',
    WEBHOOKS_TIMEOUT_MS: '10000',
    WORKER_CONCURRENCY: '2',
    WEBHOOKS_CONCURRENCY: '2',
  });
  receiver = await startReceiver({ status: 200, delayMs: SLOW_MS });
  shop = await listing(t, [{ price: 1200, stock: 100 }]);
  // A buyer on the seller's database: graphile-worker runs a pool per database, so only jobs on
  // the same database as the deliveries compete with them for slots.
  buyer = (await buyersBeside(t, shop.seller.id, 1))[0]!;
  for (let i = 0; i < ENDPOINTS; i++) {
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/seller/webhooks',
      headers: shop.seller.headers,
      payload: { url: `${receiver.url}?endpoint=${i}`, eventTypes: ['order.paid'] },
    });
    assert.equal(res.statusCode, 201, res.body);
  }
});
after(async () => {
  await workers?.stop();
  await receiver?.close();
  await t?.close();
});

async function placeOrder(): Promise<string> {
  const [id] = await placeOrders(t.server, [buyer], shop);
  return id!;
}

/** Paid, both emails sent (customer and seller), and the stock committed (sold, not reserved). */
async function settled(orderId: string, soldBefore: number): Promise<boolean> {
  if ((await t.app.orders.service.getOrderStatus(orderId)) !== 'paid') return false;
  const sent = await t.app.notifications.service.sentKeys();
  if (!sent.has(`order-confirmation:${orderId}`)) return false;
  const sellerEmails = [...sent].filter((k) => k.startsWith('seller-new-order:')).length;
  if (sellerEmails < soldBefore + 1) return false;
  const [level] = await t.app.inventory.service.levels([shop.variantIds[0]!]);
  return level!.sold === soldBefore + 1 && level!.reserved === 0;
}

/**
 * One order fills the webhook slots with slow deliveries; a second order is then placed, and we
 * measure how long until it is paid, emailed and its stock committed.
 */
async function secondOrderLatency(soldBefore: number): Promise<{ ms: number; stuckDeliveries: number }> {
  const received = receiver.received.length;
  await placeOrder();
  await waitFor('slow deliveries in flight', () => receiver.inFlight() >= 2);
  const started = Date.now();
  const second = await placeOrder();
  await waitFor('the second order to settle', () => settled(second, soldBefore + 1));
  const ms = Date.now() - started;
  // Deliveries of the first order not answered yet when the second order was done.
  const stuckDeliveries = ENDPOINTS - Math.min(ENDPOINTS, receiver.received.length - received);
  return { ms, stuckDeliveries };
}

test('slow endpoint (3 s per call): orders placed meanwhile are paid, emailed and their stock committed at once; every delivery still lands', async () => {
  // The worker role as it runs in production: the webhook job in its own pool.
  workers = await startWorkerRole(t.app);
  const isolated = await secondOrderLatency(0);
  await waitFor('every delivery of both orders', () => receiver.received.length >= 2 * ENDPOINTS);
  await workers.stop();
  workers = null;

  // Control: the same, with the webhook job in the main pool.
  const before = receiver.received.length;
  workers = await startWorkers({
    databases: t.app.stores.all(),
    tasks: collectTasks(t.app),
    concurrency: t.app.config.worker.concurrency,
    log: t.app.log,
  });
  const shared = await secondOrderLatency(2);
  await waitFor('every delivery of the control orders', () => receiver.received.length >= before + 2 * ENDPOINTS);
  await workers.stop();
  workers = null;

  console.log(
    `# second order settled in ${isolated.ms} ms with the webhook pool (${isolated.stuckDeliveries} slow deliveries still in flight), ` +
      `${shared.ms} ms with webhooks in the main pool`,
  );
  assert.ok(isolated.stuckDeliveries > 0, 'the slow deliveries were still in flight');
  assert.ok(isolated.ms < SLOW_MS, `isolated: ${isolated.ms} ms`);
  assert.ok(shared.ms >= SLOW_MS - 200, `the control shows the delay the pool prevents (${shared.ms} ms)`);

  // Never lost: every order's delivery arrived once per endpoint.
  const bodies = receiver.received.map((r) => JSON.parse(r.body) as { data: { orderId: string } });
  const perOrder = new Map<string, number>();
  for (const b of bodies) perOrder.set(b.data.orderId, (perOrder.get(b.data.orderId) ?? 0) + 1);
  assert.equal(perOrder.size, 4);
  for (const n of perOrder.values()) assert.equal(n, ENDPOINTS);
});
