import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAX_CHARGE_AMOUNT } from '../../src/modules/payments/index.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { ADDRESS, assertError, checkout, lines, listing, orderStatus, signUp, type Accepted, type Actor, type Listing } from './support.ts';

/**
 * Issue 13: an order whose total is above what the payment provider accepts could never be paid;
 * it used to answer 202 and hold its stock until the payment deadline while the payment job
 * retried. Checkout refuses it (422 naming the limit); the limit is payments' MAX_CHARGE_AMOUNT,
 * which the simulated provider enforces too.
 */
let t: TestApp;
let buyer: Actor;
let dear: Listing;

before(async () => {
  t = await createTestApp();
  buyer = await signUp(t.server, 'customer');
  dear = await listing(t, [{ price: MAX_CHARGE_AMOUNT, stock: 5 }]);
});
after(() => t?.close());

test('a total above the payment limit is refused at checkout with 422 naming the limit, and holds no stock', async () => {
  const res = await checkout(t.server, buyer, { shippingAddress: ADDRESS, lines: lines([dear.variantIds[0]!, 2]) });
  assertError(res, 422, 'ORDERS_TOTAL_ABOVE_PAYMENT_LIMIT', 'lines');
  const error = res.json<{ error: { message: string; details: Record<string, unknown> } }>().error;
  assert.match(error.message, new RegExp(String(MAX_CHARGE_AMOUNT)));
  assert.deepEqual(error.details, { total: 2 * MAX_CHARGE_AMOUNT, limit: MAX_CHARGE_AMOUNT, currency: 'USD' });
  const [level] = await t.app.inventory.service.levels([dear.variantIds[0]!]);
  assert.equal(level!.reserved, 0);
  // Through the cart too: the same check, the same answer.
  const added = await t.server.inject({
    method: 'PUT',
    url: `/api/v1/cart/lines/${dear.variantIds[0]}`,
    headers: buyer.headers,
    payload: { quantity: 3 },
  });
  assert.ok(added.statusCode < 300, added.body);
  assertError(await checkout(t.server, buyer, { shippingAddress: ADDRESS }), 422, 'ORDERS_TOTAL_ABOVE_PAYMENT_LIMIT', 'lines');
});

test('a total exactly at the limit is accepted and the simulated provider takes it: one limit for both', async () => {
  const res = await checkout(t.server, buyer, { shippingAddress: ADDRESS, lines: lines([dear.variantIds[0]!, 1]) });
  assert.equal(res.statusCode, 202, res.body);
  const { order } = res.json<Accepted>();
  assert.equal(order.total.amount, MAX_CHARGE_AMOUNT);
  await t.drainJobs();
  assert.equal(await orderStatus(t, order.id), 'paid');
});
