import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

let t: TestApp;
let buyer: Actor;
let other: Actor;
let item: Listing;

before(async () => {
  t = await createTestApp();
  const accounts = await signUpMany(t.server, 2);
  buyer = accounts[0]!;
  other = accounts[1]!;
  item = await listing(t, [
    { price: 1500, stock: 100 },
    { price: 900, stock: 0 },
  ]);
});
after(() => t?.close());

test('the same key sent 20 times at once: one order, one charge, 20 identical answers', async () => {
  const body = { lines: lines([item.variantIds[0]!, 2]), shippingAddress: ADDRESS };
  const answers = await Promise.all(Array.from({ length: 20 }, () => checkout(t.server, buyer, body, 'same-key-20')));
  assert.deepEqual(new Set(answers.map((r) => r.statusCode)), new Set([202]));
  assert.equal(new Set(answers.map((r) => r.body)).size, 1, 'every answer byte-identical');
  const { order } = answers[0]!.json<Accepted>();
  assert.deepEqual(order.total, { amount: 3000, currency: order.total.currency });

  const [level] = await t.app.inventory.service.levels([item.variantIds[0]!]);
  assert.equal(level!.reserved, 2, 'reserved once');

  // The same body with its keys in another order is the same request.
  const reordered = await checkout(t.server, buyer, { shippingAddress: { ...ADDRESS }, lines: body.lines }, 'same-key-20');
  assert.equal(reordered.statusCode, 202);
  assert.equal(reordered.body, answers[0]!.body);

  await t.drainJobs();
  assert.equal(t.provider.charges().filter((c) => c.reference === order.id).length, 1);
  assert.equal(t.provider.charges().length, 1);
  assert.equal(await t.app.orders.service.getOrderStatus(order.id), 'paid');

  // After payment, the replay is still the first answer (pending_payment), byte for byte.
  const later = await checkout(t.server, buyer, body, 'same-key-20');
  assert.equal(later.body, answers[0]!.body);
  await assertInvariants(t);
});

test('the same key with a different body is 422 and writes nothing', async () => {
  const first = await checkout(
    t.server,
    buyer,
    { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS },
    'key-then-other-body',
  );
  assert.equal(first.statusCode, 202);
  const before = await ordersSnapshot(t);
  const second = await checkout(
    t.server,
    buyer,
    { lines: lines([item.variantIds[0]!, 3]), shippingAddress: ADDRESS },
    'key-then-other-body',
  );
  assertError(second, 422, 'ORDERS_IDEMPOTENCY_KEY_REUSED');
  assert.equal(await ordersSnapshot(t), before);
  // Keys belong to a customer: another customer may use the same key for their own order.
  const theirs = await checkout(
    t.server,
    other,
    { lines: lines([item.variantIds[0]!, 3]), shippingAddress: ADDRESS },
    'key-then-other-body',
  );
  assert.equal(theirs.statusCode, 202);
  assert.notEqual(theirs.json<Accepted>().order.id, first.json<Accepted>().order.id);
});

test('a 409 answer is replayed too, even once stock is back', async () => {
  const body = { lines: lines([item.variantIds[1]!, 1]), shippingAddress: ADDRESS };
  const answers = await Promise.all(Array.from({ length: 5 }, () => checkout(t.server, buyer, body, 'sold-out-key')));
  for (const r of answers) assertError(r, 409, 'INVENTORY_OUT_OF_STOCK');
  assert.equal(new Set(answers.map((r) => r.body)).size, 1);
  assert.deepEqual(answers[0]!.json<{ error: { details: unknown } }>().error.details, {
    lines: [{ variantId: item.variantIds[1], requested: 1 }],
  });
  await t.app.inventory.service.restock(item.variantIds[1]!, 5);
  const replay = await checkout(t.server, buyer, body, 'sold-out-key');
  assert.equal(replay.statusCode, 409);
  assert.equal(replay.body, answers[0]!.body);
  const [level] = await t.app.inventory.service.levels([item.variantIds[1]!]);
  assert.equal(level!.reserved, 0, 'nothing reserved by a refused checkout');
});

test('a missing or malformed Idempotency-Key is 400 with the header as field, and writes nothing', async () => {
  const before = await ordersSnapshot(t);
  const body = { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS };
  assertError(await checkout(t.server, buyer, body, null), 400, 'ORDERS_IDEMPOTENCY_KEY_REQUIRED', 'headers.idempotency-key');
  assertError(await checkout(t.server, buyer, body, 'has spaces'), 400, 'ORDERS_IDEMPOTENCY_KEY_REQUIRED', 'headers.idempotency-key');
  assertError(await checkout(t.server, buyer, body, 'x'.repeat(101)), 400, 'ORDERS_IDEMPOTENCY_KEY_REQUIRED', 'headers.idempotency-key');
  assert.equal(await ordersSnapshot(t), before);
});

test('old idempotency keys are purged by the sweeper, recent ones kept', async () => {
  const shard = t.app.stores.shards.forId(buyer.id);
  await shard.pool.query(
    "update orders_idempotency set created_at = now() - interval '49 hours' where key = 'key-then-other-body' and customer_id = $1",
    [buyer.id],
  );
  await t.app.orders.service.sweep();
  const { rows } = await shard.pool.query<{ key: string }>('select key from orders_idempotency where customer_id = $1', [buyer.id]);
  const keys = new Set(rows.map((r) => r.key));
  assert.ok(!keys.has('key-then-other-body'));
  assert.ok(keys.has('same-key-20'));
});
