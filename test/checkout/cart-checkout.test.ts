import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newShardedId, shardOfId } from '../../src/shared/ids.ts';
import * as repo from '../../src/modules/orders/orders.repository.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import {
  ADDRESS,
  assertError,
  checkout,
  lines,
  listing,
  ordersSnapshot,
  signUpMany,
  type Accepted,
  type Actor,
  type Listing,
} from './support.ts';

/**
 * A cart checkout empties the lines it bought in the statement that writes the order
 * (orders.repository insertOrder with the cart's removeLinesSql): the two commit, or fail,
 * together; a checkout that names its lines leaves the cart alone.
 */

let t: TestApp;
let buyer: Actor;
let item: Listing;

before(async () => {
  t = await createTestApp();
  buyer = (await signUpMany(t.server, 1))[0]!;
  item = await listing(t, [
    { price: 700, stock: 10 },
    { price: 1100, stock: 1 },
  ]);
});
after(() => t?.close());

const putLine = (variantId: string, quantity: number) =>
  t.server.inject({ method: 'PUT', url: `/api/v1/cart/lines/${variantId}`, headers: buyer.headers, payload: { quantity } });

test('without lines, the cart is checked out and the bought lines leave the cart in the same commit', async () => {
  assert.equal((await putLine(item.variantIds[0]!, 3)).statusCode, 200);
  assert.equal((await putLine(item.variantIds[1]!, 1)).statusCode, 200);
  const key = 'cart-checkout-1';
  const res = await checkout(t.server, buyer, { shippingAddress: ADDRESS }, key);
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json<Accepted>().order.total.amount, 700 * 3 + 1100);
  assert.deepEqual(await t.app.cart.service.lines(buyer.id), []);
  // A retry with the same key finds the cart empty, and still gets the first answer.
  const retry = await checkout(t.server, buyer, { shippingAddress: ADDRESS }, key);
  assert.equal(retry.statusCode, 202);
  assert.equal(retry.body, res.body);
  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(res.json<Accepted>().order.id), 'paid');
  await assertInvariants(t);
});

test('an empty cart is 422 and writes nothing; a cart line out of stock is 409 and the cart is kept', async () => {
  const before = await ordersSnapshot(t);
  assertError(await checkout(t.server, buyer, { shippingAddress: ADDRESS }), 422, 'ORDERS_CART_EMPTY');
  assert.equal(await ordersSnapshot(t), before);

  assert.equal((await putLine(item.variantIds[1]!, 1)).statusCode, 200);
  const res = await checkout(t.server, buyer, { shippingAddress: ADDRESS });
  assertError(res, 409, 'INVENTORY_OUT_OF_STOCK');
  assert.deepEqual(await t.app.cart.service.lines(buyer.id), [{ variantId: item.variantIds[1]!, quantity: 1 }]);
});

test('a checkout with its own lines leaves the cart as it was', async () => {
  const [a, b] = item.variantIds as [string, string];
  assert.equal((await putLine(a, 2)).statusCode, 200);
  const res = await checkout(t.server, buyer, { lines: lines([a, 1]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202, res.body);
  // The sold-out line the previous test kept, and the line this checkout bought too: both stay.
  assert.deepEqual(await t.app.cart.service.lines(buyer.id), [
    { variantId: b, quantity: 1 },
    { variantId: a, quantity: 2 },
  ]);
});

function newOrder(orderId: string, variantId: string): repo.NewOrder {
  const subOrderId = newShardedId(shardOfId(buyer.id));
  return {
    order: { id: orderId, customerId: buyer.id, currency: 'EUR', total: 500, shippingAddress: ADDRESS, paymentDeadline: new Date() },
    subOrders: [{ id: subOrderId, shopId: item.shopId, shopName: 'Shop', sellerId: item.seller.id, total: 500 }],
    lines: [{ variantId, subOrderId, productId: item.productId, title: 'Bowl', sku: 'sku', options: {}, unitPrice: 500, quantity: 1 }],
  };
}

test('the order and the emptying of the cart commit or fail together, and only the named lines go', async () => {
  const [a, b] = item.variantIds as [string, string];
  assert.equal((await putLine(b, 1)).statusCode, 200);
  const db = t.app.stores.shards.forId(buyer.id).db;
  const orderId = newShardedId(shardOfId(buyer.id));
  await db
    .transaction()
    .execute((trx) => repo.insertOrder(trx, newOrder(orderId, a), [], t.app.cart.service.removeLinesSql(buyer.id, [a])));
  assert.deepEqual(await t.app.cart.service.lines(buyer.id), [{ variantId: b, quantity: 1 }]);
  assert.notEqual(await repo.findOrder(db, orderId), null);

  // The same order id again: the order's insert fails, and the cart line it would have removed stays.
  await assert.rejects(
    db.transaction().execute((trx) => repo.insertOrder(trx, newOrder(orderId, b), [], t.app.cart.service.removeLinesSql(buyer.id, [b]))),
  );
  assert.deepEqual(await t.app.cart.service.lines(buyer.id), [{ variantId: b, quantity: 1 }]);
});
