import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, assertError, checkout, listing, ordersSnapshot, signUpMany, type Accepted, type Actor, type Listing } from './support.ts';

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
