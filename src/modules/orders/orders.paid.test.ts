import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { ADDRESS, checkout, lines, listing, signUp, type Accepted, type Actor, type Listing } from '../../../test/checkout/support.ts';
import { ACCOUNT_CACHE_MS } from '../identity/index.ts';
import { findOrderForPayment } from './orders.paid-reads.ts';
import { findLines, findOrder, findSubOrders } from './orders.repository.ts';

/** Marking an order paid with fewer statements: the same jobs, emails, index entries and stock. */

let t: TestApp;
let buyer: Actor;
let shopA: Listing;
let shopB: Listing;
before(async () => {
  t = await createTestApp();
  buyer = await signUp(t.server, 'customer');
  shopA = await listing(t, [
    { price: 1250, stock: 100 },
    { price: 800, stock: 100 },
  ]);
  shopB = await listing(t, [{ price: 3000, stock: 100 }]);
});
after(() => t?.close());

const shardOf = (id: string) => t.app.stores.shards.forId(id);

async function placeOrder(): Promise<string> {
  const res = await checkout(t.server, buyer, {
    lines: lines([shopA.variantIds[0]!, 2], [shopA.variantIds[1]!, 1], [shopB.variantIds[0]!, 1]),
    shippingAddress: ADDRESS,
  });
  assert.equal(res.statusCode, 202, res.body);
  return res.json<Accepted>().order.id;
}

async function recipient(orderId: string, messageKey: string): Promise<string | undefined> {
  const { rows } = await shardOf(orderId).pool.query<{ recipient: string }>(
    'select recipient from notifications_sent where message_key = $1',
    [messageKey],
  );
  return rows[0]?.recipient;
}

async function indexEntry(sellerId: string, subOrderId: string) {
  const { rows } = await shardOf(sellerId).pool.query<{ status: string; version: number; total: number; order_id: string }>(
    'select status, version, total::int, order_id from orders_seller_index where seller_id = $1 and sub_order_id = $2',
    [sellerId, subOrderId],
  );
  return rows[0];
}

async function accountEmail(id: string): Promise<string> {
  const { rows } = await shardOf(id).pool.query<{ email: string }>('select email from identity_accounts where id = $1', [id]);
  return rows[0]!.email;
}

async function addJob(onIdOf: string, task: string, payload: Record<string, unknown>): Promise<void> {
  await shardOf(onIdOf).pool.query('select graphile_worker.add_job($1, $2::json)', [task, JSON.stringify(payload)]);
}

test("the payment job's one read is what findOrder, findSubOrders and findLines read", async () => {
  const orderId = await placeOrder();
  const db = shardOf(orderId).db;
  const found = await findOrderForPayment(db, orderId);
  assert.ok(found);
  assert.deepEqual(found.order, await findOrder(db, orderId));
  assert.deepEqual(
    found.subs,
    (await findSubOrders(db, orderId)).map((s) => ({
      id: s.id,
      order_id: s.order_id,
      shop_id: s.shop_id,
      seller_id: s.seller_id,
      status: s.status,
      total: Number(s.total),
      currency: s.currency,
      version: s.version,
      created_at: s.created_at,
    })),
  );
  assert.deepEqual(
    found.lines,
    (await findLines(db, orderId)).map((l) => ({
      sub_order_id: l.sub_order_id,
      variant_id: l.variant_id,
      product_id: l.product_id,
      title: l.title,
      unit_price: Number(l.unit_price),
      quantity: l.quantity,
    })),
  );
  assert.equal(found.subs.length, 2);
  assert.equal(found.lines.length, 3);
  assert.equal(await findOrderForPayment(db, '00000000-0000-4000-8000-000000000000'), null);
  await t.drainJobs();
});

test('a paid order: emails to the customer and each seller, a paid index entry per sub-order, stock sold once', async () => {
  const [before] = await t.app.inventory.service.levels([shopB.variantIds[0]!]);
  const orderId = await placeOrder();
  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(orderId), 'paid');
  const subs = await findSubOrders(shardOf(orderId).db, orderId);
  assert.equal(await recipient(orderId, `order-confirmation:${orderId}`), await accountEmail(buyer.id));
  for (const sub of subs) {
    assert.equal(await recipient(orderId, `seller-new-order:${sub.id}`), await accountEmail(sub.seller_id));
    assert.deepEqual(await indexEntry(sub.seller_id, sub.id), { status: 'paid', version: 2, total: Number(sub.total), order_id: orderId });
    assert.equal(sub.version, 2);
  }
  const [after] = await t.app.inventory.service.levels([shopB.variantIds[0]!]);
  assert.deepEqual({ sold: after!.sold - before!.sold, reserved: after!.reserved - before!.reserved }, { sold: 1, reserved: 0 });

  // commit-stock run again (a re-run after a crash, a duplicate job): the stock is committed once.
  await addJob(orderId, 'orders.commit-stock', { orderId });
  await addJob(orderId, 'orders.commit-stock', { orderId });
  await Promise.all([t.app.inventory.service.commit(orderId), t.app.inventory.service.release(orderId)]);
  await t.drainJobs();
  const [again] = await t.app.inventory.service.levels([shopB.variantIds[0]!]);
  assert.deepEqual(again, after);
});

test("an account's new email reaches the next order's email once the account cache's TTL has passed", async () => {
  const first = await placeOrder();
  await t.drainJobs();
  const sellerId = shopB.seller.id;
  const newBuyer = `changed-${Date.now()}@example.test`;
  const newSeller = `changed-seller-${Date.now()}@example.test`;
  // Changed outside this process's identity service (nothing in identity changes an email yet):
  // the bound is the TTL (identity.account-cache.ts).
  await shardOf(buyer.id).pool.query('update identity_accounts set email = $1 where id = $2', [newBuyer, buyer.id]);
  await shardOf(sellerId).pool.query('update identity_accounts set email = $1 where id = $2', [newSeller, sellerId]);
  assert.notEqual(await recipient(first, `order-confirmation:${first}`), newBuyer);
  await sleep(ACCOUNT_CACHE_MS + 100);
  const second = await placeOrder();
  await t.drainJobs();
  assert.equal(await recipient(second, `order-confirmation:${second}`), newBuyer);
  const subB = (await findSubOrders(shardOf(second).db, second)).find((s) => s.seller_id === sellerId)!;
  assert.equal(await recipient(second, `seller-new-order:${subB.id}`), newSeller);
});

test('the seller index never goes back: a paid snapshot that runs after a later move changes nothing', async () => {
  const orderId = await placeOrder();
  await t.drainJobs();
  const sub = (await findSubOrders(shardOf(orderId).db, orderId)).find((s) => s.seller_id === shopA.seller.id)!;
  const res = await t.server.inject({
    method: 'POST',
    url: `/api/v1/seller/orders/${sub.id}/advance`,
    headers: shopA.seller.headers,
    payload: { to: 'fulfilled' },
  });
  assert.equal(res.statusCode, 200, res.body);
  await t.drainJobs();
  // The entry after the seller's move: what every later step must leave (or put back).
  const fulfilled = { status: 'fulfilled', version: 3, total: Number(sub.total), order_id: orderId };
  assert.deepEqual(await indexEntry(sub.seller_id, sub.id), fulfilled);

  // The payment's job, overtaken (it ran late, or ran again): its older snapshot is ignored.
  const snapshot = {
    orderId,
    sellerId: sub.seller_id,
    status: 'paid',
    version: 2,
    total: Number(sub.total),
    currency: sub.currency,
    placedAt: sub.created_at.toISOString(),
  };
  await addJob(sub.id, 'orders.seller-index', { subOrderId: sub.id, snapshot });
  await t.drainJobs();
  assert.deepEqual(await indexEntry(sub.seller_id, sub.id), fulfilled);

  // Without an entry yet, the snapshot writes it; a later re-read job (a seller's move) then wins.
  await shardOf(sub.seller_id).pool.query('delete from orders_seller_index where sub_order_id = $1', [sub.id]);
  await addJob(sub.id, 'orders.seller-index', { subOrderId: sub.id, snapshot });
  await t.drainJobs();
  assert.equal((await indexEntry(sub.seller_id, sub.id))?.status, 'paid');
  await addJob(sub.id, 'orders.seller-index', { subOrderId: sub.id });
  await t.drainJobs();
  assert.deepEqual(await indexEntry(sub.seller_id, sub.id), fulfilled);

  // A malformed snapshot is not trusted: the job reads the sub-order instead.
  await shardOf(sub.seller_id).pool.query('delete from orders_seller_index where sub_order_id = $1', [sub.id]);
  await addJob(sub.id, 'orders.seller-index', { subOrderId: sub.id, snapshot: { ...snapshot, version: 'x' } });
  await t.drainJobs();
  assert.equal((await indexEntry(sub.seller_id, sub.id))?.status, 'fulfilled');
});
