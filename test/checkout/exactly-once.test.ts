import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobContext } from '../../src/platform/queue/queue.ts';
import { SEND_EMAIL_TASK } from '../../src/modules/notifications/index.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Accepted, type Actor, type Listing } from './support.ts';

let t: TestApp;
let buyer: Actor;
let item: Listing;

before(async () => {
  t = await createTestApp();
  buyer = (await signUpMany(t.server, 1))[0]!;
  item = await listing(t, [{ price: 2600, stock: 20 }]);
});
after(() => t?.close());

const collect = (orderId: string) =>
  t.app.orders.tasks!['orders.collect-payment']!({ orderId, attempt: 0 }, {
    database: 'test',
    jobId: '0',
    attempt: 1,
    maxAttempts: 25,
    log: t.app.log,
  } satisfies JobContext);

async function countRows(orderId: string, sqlText: string): Promise<number> {
  const { rows } = await t.app.stores.shards.forId(orderId).pool.query<{ n: number }>(sqlText, [orderId]);
  return rows[0]!.n;
}

test('the payment job run five times at once pays once: one charge, one paid event, one set of follow-up jobs', async () => {
  const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
  const { id } = res.json<Accepted>().order;
  await Promise.all(Array.from({ length: 5 }, () => collect(id)));
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
  assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 1);
  assert.equal(await countRows(id, "select count(*)::int as n from order_events where order_id = $1 and to_status = 'paid'"), 1);
  // The order's emails travel in one send job (notifications emailsJob): one job, two messages.
  const { rows: emailJobs } = await t.app.stores.shards.forId(id).pool.query<{ payload: { emails?: Array<{ messageKey: string }> } }>(
    `select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
     where k.identifier = '${SEND_EMAIL_TASK}' and j.payload::text like '%' || $1 || '%'`,
    [id],
  );
  assert.equal(emailJobs.length, 1, 'one send job for the order, enqueued once');
  assert.deepEqual(
    emailJobs[0]!.payload.emails?.map((e) => e.messageKey.split(':')[0]),
    ['order-confirmation', 'seller-new-order'],
    'one confirmation and one seller email in it',
  );
  await t.drainJobs();
  await assertInvariants(t);
});

test('a cancel that lands while the charge is in flight wins, and the charge is refunded', async () => {
  const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 2]), shippingAddress: ADDRESS });
  const { id } = res.json<Accepted>().order;
  t.provider.configure({ latencyMs: 600 });
  try {
    const running = collect(id);
    await new Promise((r) => setTimeout(r, 150));
    const cancel = await t.server.inject({ method: 'POST', url: `/api/v1/orders/${id}/cancel`, headers: buyer.headers });
    assert.equal(cancel.statusCode, 200, cancel.body);
    await running;
  } finally {
    t.provider.configure({ latencyMs: 0 });
  }
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'cancelled');
  assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 1);
  const charge = t.provider.charges().find((c) => c.reference === id)!;
  assert.equal(
    t.provider.refunds().filter((r) => r.chargeId === charge.id && r.amount === charge.amount).length,
    1,
    'the charge was given back',
  );
  await t.drainJobs();
  const [level] = await t.app.inventory.service.levels([item.variantIds[0]!]);
  assert.deepEqual({ sold: level!.sold, reserved: level!.reserved }, { sold: 1, reserved: 0 });
  assert.ok(!(await t.app.notifications.service.sentKeys()).has(`order-confirmation:${id}`));
  await assertInvariants(t);
});
