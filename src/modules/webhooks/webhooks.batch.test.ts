import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dueNow, jobsOf } from '../../../test/support/jobs.ts';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { ADDRESS, checkout, lines, listing, signUp, type Accepted, type Actor, type Listing } from '../../../test/checkout/support.ts';
import { drainUntil } from '../../../test/resiliency/outbound-support.ts';
import { startReceiver, type Receiver } from './webhooks.test-support.ts';

/**
 * The `order.paid` subscriber with batching on (WEBHOOKS_BATCH_DELAY_MS): the paid orders of a
 * window reach it in one job, sellers without an endpoint get nothing, and each seller with one
 * gets exactly its own orders. Real PostgreSQL and a real local receiver.
 */
// Long enough that the test's own set-up and payments cannot outlast it; the test then brings the
// batch forward instead of waiting for the window to end.
const WINDOW_MS = 60_000;
let t: TestApp;
let receiver: Receiver;
let withEndpoint: Listing;
let without: Listing;
let buyer: Actor;

before(async () => {
  t = await createTestApp({ WEBHOOKS_ALLOW_INSECURE: 'true', WEBHOOKS_BATCH_DELAY_MS: String(WINDOW_MS) });
  receiver = await startReceiver({ status: 200 });
  [withEndpoint, without] = [await listing(t, [{ price: 1500, stock: 100 }]), await listing(t, [{ price: 900, stock: 100 }])];
  buyer = await signUp(t.server, 'customer');
});
after(async () => {
  await receiver?.close();
  await t?.close();
});

const TASK = 'event:order.paid:webhooks';

/** The webhook subscriber's waiting jobs on every database, as the event ids each one holds. */
async function webhookBatches(): Promise<string[][]> {
  const batches: string[][] = [];
  for (const handle of t.app.stores.all()) {
    for (const job of await jobsOf<Array<{ id: string }>>(handle.db, TASK)) batches.push(job.payload.map((e) => e.id));
  }
  return batches;
}

test('the paid orders of a window reach webhooks in one job; only sellers with an endpoint get deliveries', async () => {
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/seller/webhooks',
    headers: withEndpoint.seller.headers,
    payload: { url: receiver.url, eventTypes: ['order.paid'] },
  });
  assert.equal(res.statusCode, 201, res.body);

  // Windows are aligned on the clock: a window that ends while the orders are paid makes its batch
  // due, and the drain below would run it before it is counted. On a loaded machine placing and
  // paying three orders has taken 15 s, so start early in a window.
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < 25_000) await new Promise((r) => setTimeout(r, left + 200));

  const ids: string[] = [];
  for (const from of [[withEndpoint], [without], [withEndpoint, without]]) {
    const placed = await checkout(t.server, buyer, {
      lines: lines(...from.map((l) => [l.variantIds[0]!, 1] as [string, number])),
      shippingAddress: ADDRESS,
    });
    assert.equal(placed.statusCode, 202, placed.body);
    ids.push(placed.json<Accepted>().order.id);
  }
  // Paying them runs the due jobs only: the webhook batch is due at its window's end.
  await t.drainJobs();
  for (const id of ids) assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
  const batches = await webhookBatches();
  assert.equal(batches.flat().length, 3, 'one event per paid order, none lost');
  // Three orders paid within seconds: one window, or two if they straddled a boundary.
  assert.ok(batches.length <= 2, `events in ${batches.length} jobs: ${JSON.stringify(batches)}`);

  // The window's end, without waiting for it.
  for (const handle of t.app.stores.all()) await dueNow(handle.db, TASK);
  await drainUntil(t, 'the batch ran and its deliveries are made', async () => receiver.received.length >= 2, 30_000);
  // Nothing more arrives: the order of the seller without an endpoint made no delivery.
  await new Promise((r) => setTimeout(r, 300));
  await t.drainJobs();
  const delivered = receiver.received.map((r) => (JSON.parse(r.body) as { data: { orderId: string } }).data.orderId).sort();
  assert.deepEqual(delivered, [ids[0]!, ids[2]!].sort());
  assert.deepEqual(await webhookBatches(), [], 'the batch job is done');
});
