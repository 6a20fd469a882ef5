import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newShardedId } from '../../src/shared/ids.ts';
import { runAtelier, stopProcess } from '../support/processes.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, chargeProxy, checkout, lines, listing, signUpMany, until, type Accepted, type Actor, type Listing } from './support.ts';

let t: TestApp;
let buyer: Actor;
let item: Listing;

before(async () => {
  t = await createTestApp();
  buyer = (await signUpMany(t.server, 1))[0]!;
  item = await listing(t, [{ price: 3100, stock: 5 }]);
});
after(() => t?.close());

test('worker killed after the charge and before "paid": after a restart the order is paid, charged once, emailed once', async () => {
  const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 2]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202, res.body);
  const { id } = res.json<Accepted>().order;

  const proxy = await chargeProxy(t.provider.url, () => true);
  const workerEnv = { ...t.env, JOB_LOCK_TIMEOUT_SECONDS: '3', SWEEP_INTERVAL_SECONDS: '1', PAYMENT_TIMEOUT_MS: '30000' };
  const first = runAtelier(['worker'], { ...workerEnv, PAYMENT_PROVIDER_URL: proxy.url });
  try {
    await until(
      'the provider to record the charge',
      () => t.provider.charges().some((c) => c.reference === id),
      90_000,
      () => first.output(),
    );
    first.child.kill('SIGKILL');
    await first.exited;
  } finally {
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    await proxy.close();
  }
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'pending_payment', 'killed before the order was marked paid');

  // The restarted worker finds the job still locked by the dead one; its sweeper frees it after
  // JOB_LOCK_TIMEOUT_SECONDS, the job runs again, and the provider replays the charge by key.
  const second = runAtelier(['worker'], { ...workerEnv, PAYMENT_PROVIDER_URL: t.provider.url });
  try {
    await until(
      'the order to be paid and emailed',
      async () => {
        const status = await t.app.orders.service.getOrderStatus(id);
        const sent = await t.app.notifications.service.sentKeys();
        return status === 'paid' && sent.has(`order-confirmation:${id}`);
      },
      90_000,
      () => second.output(),
    );
    // Let the follow-up jobs (stock commit) finish too.
    await until(
      'the stock to be committed',
      async () => (await t.app.inventory.service.levels([item.variantIds[0]!]))[0]!.sold === 2,
      30_000,
      () => second.output(),
    );
  } finally {
    await stopProcess(second);
  }

  assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 1);
  const sent = [...(await t.app.notifications.service.sentKeys())].filter((k) => k === `order-confirmation:${id}`);
  assert.equal(sent.length, 1);
  await t.drainJobs();
  await assertInvariants(t);
});

test('killed between reservation and order write: the sweeper releases the stock', async () => {
  const variantId = item.variantIds[0]!;
  const [before] = await t.app.inventory.service.levels([variantId]);
  // What a checkout leaves behind when the process dies right after reserving: a reservation for
  // an order id that no shard will ever hold.
  const orphan = newShardedId(3);
  const reserved = await t.app.inventory.service.reserve(orphan, [{ variantId, quantity: 2 }], new Date(Date.now() + 300));
  assert.deepEqual(reserved, { ok: true });
  const [held] = await t.app.inventory.service.levels([variantId]);
  assert.equal(held!.reserved, before!.reserved + 2);

  // Not expired yet: the sweeper leaves it alone.
  await t.app.orders.service.sweep();
  assert.equal((await t.app.inventory.service.levels([variantId]))[0]!.reserved, before!.reserved + 2);

  await new Promise((r) => setTimeout(r, 400));
  await t.app.orders.service.sweep();
  const [afterSweep] = await t.app.inventory.service.levels([variantId]);
  assert.deepEqual(
    { reserved: afterSweep!.reserved, sold: afterSweep!.sold, available: afterSweep!.available },
    { reserved: before!.reserved, sold: before!.sold, available: before!.available },
  );
  assert.deepEqual(await t.app.inventory.service.listExpired(new Date(), 10), []);
  await assertInvariants(t);
});
