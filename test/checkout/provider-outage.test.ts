import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, checkout, lines, listing, makeJobsDue, signUpMany, type Accepted, type Actor, type Listing } from './support.ts';

let t: TestApp;
let buyers: Actor[];
let item: Listing;

before(async () => {
  t = await createTestApp();
  buyers = await signUpMany(t.server, 5);
  item = await listing(t, [{ price: 2000, stock: 50 }]);
});
after(() => t?.close());

async function pendingCollectJobs(): Promise<number> {
  let n = 0;
  for (const shard of t.app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ n: number }>(
      "select count(*)::int as n from graphile_worker.jobs where task_identifier = 'orders.collect-payment'",
    );
    n += rows[0]!.n;
  }
  return n;
}

test('provider down then up: orders are accepted during the outage and each is paid once after it', async () => {
  t.provider.configure({ outage: true });
  const answers = await Promise.all(
    buyers.map((b) => checkout(t.server, b, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS })),
  );
  assert.deepEqual(
    answers.map((r) => r.statusCode),
    [202, 202, 202, 202, 202],
  );
  const ids = answers.map((r) => r.json<Accepted>().order.id);

  await t.drainJobs();
  for (const id of ids) assert.equal(await t.app.orders.service.getOrderStatus(id), 'pending_payment');
  // One retry job per order (job key), due later: never a pile of them.
  assert.equal(await pendingCollectJobs(), 5);
  assert.equal(t.provider.charges().length, 0);
  // A second outage round: still one job each.
  await makeJobsDue(t);
  await t.drainJobs();
  assert.equal(await pendingCollectJobs(), 5);
  await assertInvariants(t);

  t.provider.configure({ outage: false });
  // The breaker may still be open for a few seconds after the outage: keep making the retries due.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await makeJobsDue(t);
    await t.drainJobs();
    const statuses = await Promise.all(ids.map((id) => t.app.orders.service.getOrderStatus(id)));
    if (statuses.every((s) => s === 'paid')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const id of ids) assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
  for (const id of ids) assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 1);
  assert.equal(t.provider.charges().length, 5);
  const [level] = await t.app.inventory.service.levels([item.variantIds[0]!]);
  assert.deepEqual({ sold: level!.sold, reserved: level!.reserved }, { sold: 5, reserved: 0 });
  await assertInvariants(t);
});

test('a declined payment fails the order and puts the stock back', async () => {
  const [buyer] = buyers;
  t.provider.configure({ declineAmountsEndingIn: 0 });
  try {
    const res = await checkout(t.server, buyer!, { lines: lines([item.variantIds[0]!, 2]), shippingAddress: ADDRESS });
    assert.equal(res.statusCode, 202);
    const { id } = res.json<Accepted>().order;
    await t.drainJobs();
    assert.equal(await t.app.orders.service.getOrderStatus(id), 'payment_failed');
    const [level] = await t.app.inventory.service.levels([item.variantIds[0]!]);
    assert.deepEqual({ sold: level!.sold, reserved: level!.reserved }, { sold: 5, reserved: 0 });
  } finally {
    t.provider.configure({ declineAmountsEndingIn: null });
  }
  await assertInvariants(t);
});

test('an order past its payment deadline is failed by the sweeper and its stock released', async () => {
  const [, buyer] = buyers;
  t.provider.configure({ outage: true });
  const res = await checkout(t.server, buyer!, { lines: lines([item.variantIds[0]!, 3]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202);
  const { id } = res.json<Accepted>().order;
  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'pending_payment');
  await t.app.stores.shards.forId(id).pool.query("update orders set payment_deadline = now() - interval '1 second' where id = $1", [id]);
  await t.app.orders.service.sweep();
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'payment_failed');
  t.provider.configure({ outage: false });
  await makeJobsDue(t);
  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'payment_failed', 'a late retry does not revive it');
  assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 0);
  const [level] = await t.app.inventory.service.levels([item.variantIds[0]!]);
  assert.equal(level!.reserved, 0);
  await assertInvariants(t);
});

test('a reservation that expires while payment is still being collected is extended, not released', async () => {
  const [, , buyer] = buyers;
  const variantId = item.variantIds[0]!;
  t.provider.configure({ outage: true });
  try {
    const res = await checkout(t.server, buyer!, { lines: lines([variantId, 1]), shippingAddress: ADDRESS });
    assert.equal(res.statusCode, 202);
    const { id } = res.json<Accepted>().order;
    await t.drainJobs();
    const [held] = await t.app.inventory.service.levels([variantId]);
    // Test-only shortcut for "the reservation TTL has passed" (the order's own deadline has not).
    await t.app.stores.catalog.pool.query(
      "update inventory_reservations set expires_at = now() - interval '1 second' where order_id = $1",
      [id],
    );
    assert.equal((await t.app.inventory.service.listExpired(new Date(), 10)).length, 1);
    await t.app.orders.service.sweep();
    assert.deepEqual(await t.app.inventory.service.listExpired(new Date(), 10), []);
    assert.equal((await t.app.inventory.service.levels([variantId]))[0]!.reserved, held!.reserved, 'still held for the order');
    assert.equal(await t.app.orders.service.getOrderStatus(id), 'pending_payment');

    t.provider.configure({ outage: false });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await t.app.orders.service.getOrderStatus(id)) !== 'paid') {
      await makeJobsDue(t);
      await t.drainJobs();
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
    assert.equal((await t.app.inventory.service.levels([variantId]))[0]!.reserved, 0);
  } finally {
    t.provider.configure({ outage: false });
  }
  await assertInvariants(t);
});
