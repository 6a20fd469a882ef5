import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Accepted, type Actor, type Listing } from './support.ts';

let t: TestApp;
let customers: Actor[];
let item: Listing;

before(async () => {
  t = await createTestApp();
  customers = await signUpMany(t.server, 200);
  item = await listing(t, [{ price: 4200, stock: 10 }]);
});
after(() => t?.close());

test('last item race: 200 customers, stock 10 -> exactly 10 accepted and paid, 190 refused, nothing oversold or left reserved', async () => {
  const variantId = item.variantIds[0]!;
  let minAvailable = Infinity;
  let watching = true;
  // Watch the counters while the stampede runs: available must never go below zero.
  const watcher = (async () => {
    while (watching) {
      const [level] = await t.app.inventory.service.levels([variantId]);
      minAvailable = Math.min(minAvailable, level!.available, level!.onHand - level!.sold - level!.reserved);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  const answers = await Promise.all(
    customers.map((c) => checkout(t.server, c, { lines: lines([variantId, 1]), shippingAddress: ADDRESS })),
  );
  watching = false;
  await watcher;

  const accepted = answers.filter((r) => r.statusCode === 202);
  const refused = answers.filter((r) => r.statusCode === 409);
  assert.equal(accepted.length, 10, answers.map((r) => r.statusCode).join(','));
  assert.equal(refused.length, 190);
  for (const r of refused) {
    const body = r.json<{ error: { code: string; details: { lines: Array<{ variantId: string; requested: number }> } } }>();
    assert.equal(body.error.code, 'INVENTORY_OUT_OF_STOCK');
    assert.deepEqual(body.error.details.lines, [{ variantId, requested: 1 }]);
  }
  assert.ok(minAvailable >= 0, `available went to ${minAvailable}`);

  let [level] = await t.app.inventory.service.levels([variantId]);
  assert.deepEqual({ sold: level!.sold, reserved: level!.reserved }, { sold: 0, reserved: 10 });

  await t.drainJobs();

  const orderIds = accepted.map((r) => r.json<Accepted>().order.id);
  for (const id of orderIds) assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
  [level] = await t.app.inventory.service.levels([variantId]);
  assert.deepEqual(
    { onHand: level!.onHand, sold: level!.sold, reserved: level!.reserved, available: level!.available },
    { onHand: 10, sold: 10, reserved: 0, available: 0 },
  );
  assert.deepEqual(await t.app.inventory.service.findOversold(), []);
  assert.equal(t.provider.charges().length, 10);
  assert.deepEqual(new Set(t.provider.charges().map((c) => c.reference)), new Set(orderIds));
  for (const c of t.provider.charges()) assert.equal(c.amount, 4200);
  await assertInvariants(t);
});
