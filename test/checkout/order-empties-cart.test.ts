import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newShardedId, shardOfId } from '../../src/shared/ids.ts';
import * as repo from '../../src/modules/orders/orders.repository.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Actor, type Listing } from './support.ts';

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
    { price: 500, stock: 20 },
    { price: 900, stock: 20 },
  ]);
});
after(() => t?.close());

const putLine = (variantId: string, quantity: number) =>
  t.server.inject({ method: 'PUT', url: `/api/v1/cart/lines/${variantId}`, headers: buyer.headers, payload: { quantity } });

function newOrder(orderId: string, variantId: string): repo.NewOrder {
  const subOrderId = newShardedId(shardOfId(buyer.id));
  return {
    order: { id: orderId, customerId: buyer.id, currency: 'EUR', total: 500, shippingAddress: ADDRESS, paymentDeadline: new Date() },
    subOrders: [{ id: subOrderId, shopId: item.shopId, shopName: 'Shop', sellerId: item.seller.id, total: 500 }],
    lines: [{ variantId, subOrderId, productId: item.productId, title: 'Bowl', sku: 'sku', options: {}, unitPrice: 500, quantity: 1 }],
  };
}

test('a checkout with its own lines leaves the cart as it was', async () => {
  assert.equal((await putLine(item.variantIds[0]!, 2)).statusCode, 200);
  const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202, res.body);
  assert.deepEqual(await t.app.cart.service.lines(buyer.id), [{ variantId: item.variantIds[0]!, quantity: 2 }]);
});

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
