import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runAtelier, stopProcess } from '../support/processes.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, chargeProxy, checkout, lines, listing, signUpMany, until, type Accepted, type Actor } from './support.ts';

/**
 * Group commit (docs/checkout.md "Group commit"): checkouts that reach a shard database together
 * are written in one transaction with one payment job, and each keeps its own guarantees.
 * The window is wide here (50 ms) so the few checkouts a test sends at once surely share a group.
 */
let t: TestApp;
let buyers: Actor[];

before(async () => {
  t = await createTestApp({ CHECKOUT_GROUP_WINDOW_MS: '50', CHECKOUT_GROUP_MAX: '64' });
  buyers = await signUpMany(t.server, 500);
});
after(() => t?.close());

type Totals = { batches: number; calls: number; largestBatch: number };
function groupTotals(): Totals {
  const out = { batches: 0, calls: 0, largestBatch: 0 };
  for (const s of t.app.orders.service.groupStats().values()) {
    out.batches += s.batches;
    out.calls += s.calls;
    out.largestBatch = Math.max(out.largestBatch, s.largestBatch);
  }
  return out;
}

/** The payment jobs waiting on the shard databases: orders per group job, and per-order jobs. */
async function paymentJobs(): Promise<{ groups: string[][]; single: string[] }> {
  const groups: string[][] = [];
  const single: string[] = [];
  for (const shard of t.app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ task_identifier: string; payload: Record<string, unknown> }>(
      `select k.identifier as task_identifier, j.payload from graphile_worker._private_jobs j
       join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier in ('orders.collect-payments', 'orders.collect-payment')`,
    );
    for (const r of rows) {
      if (r.task_identifier === 'orders.collect-payments') groups.push(r.payload.orderIds as string[]);
      else single.push(r.payload.orderId as string);
    }
  }
  return { groups, single };
}

/** Each of `who` buys one unit at the same moment, with the key `tag-<account>`. */
/** Orders of one database placed at one moment are paid by one group job. */
async function assertOneGroupJob(ids: readonly string[]): Promise<void> {
  const jobs = await paymentJobs();
  const holding = jobs.groups.filter((g) => g.some((id) => ids.includes(id)));
  assert.equal(holding.length, 1, `one group job: ${JSON.stringify(jobs)}`);
  assert.deepEqual([...holding[0]!].sort(), [...ids].sort());
}

/** `n` buyers, from `from` on, whose data lives on the first shard database, so they can share a group. */
function onOneDatabase(from: number, n: number): Actor[] {
  const name = t.app.stores.shards.databases[0]!.name;
  return buyers
    .slice(from)
    .filter((b) => t.app.stores.shards.forId(b.id).name === name)
    .slice(0, n);
}

const buyAll = (tag: string, who: readonly Actor[], variantOf: (i: number) => string) =>
  Promise.all(who.map((b, i) => checkout(t.server, b, { lines: lines([variantOf(i), 1]), shippingAddress: ADDRESS }, `${tag}-${b.id}`)));

test('500 buyers at once: groups of many, exactly the stock sold, every buyer one answer that a retry replays, each order charged once', async () => {
  const item = await listing(t, [{ price: 2500, stock: 200 }]);
  const variantId = item.variantIds[0]!;
  const before = groupTotals();
  const answers = await buyAll('burst', buyers, () => variantId);
  const after = groupTotals();

  const statuses = answers.map((r) => r.statusCode);
  assert.equal(statuses.filter((s) => s === 202).length, 200, `accepted: ${statuses.join(',')}`);
  assert.equal(statuses.filter((s) => s === 409).length, 300);
  for (const r of answers.filter((x) => x.statusCode === 409))
    assert.equal(r.json<{ error: { code: string } }>().error.code, 'INVENTORY_OUT_OF_STOCK');
  const ids = answers.filter((r) => r.statusCode === 202).map((r) => r.json<Accepted>().order.id);
  assert.equal(new Set(ids).size, 200, 'each accepted buyer has an order of its own');

  // The buyers were written in groups, not one transaction each.
  const groups = after.batches - before.batches;
  assert.equal(after.calls - before.calls, 500);
  assert.ok(after.largestBatch > 1, 'some checkouts shared a transaction');
  assert.ok(groups < 250, `500 checkouts took ${groups} transactions`);

  // One order per accepted buyer in the shards, none for the others.
  let orders = 0;
  for (const shard of t.app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ n: number; most: number }>(
      'select count(*)::int as n, coalesce(max(c), 0)::int as most from (select customer_id, count(*) as c from orders o join order_lines l on l.order_id = o.id where l.variant_id = $1 group by customer_id) x',
      [variantId],
    );
    orders += rows[0]!.n;
    assert.ok(rows[0]!.most <= 1, 'no buyer has two orders');
  }
  assert.equal(orders, 200);

  // Every buyer asking again with its key hears its first answer, nothing more is written.
  const again = await buyAll('burst', buyers, () => variantId);
  again.forEach((r, i) => {
    assert.equal(r.statusCode, answers[i]!.statusCode);
    assert.equal(r.body, answers[i]!.body);
  });

  // Payment went by group jobs, each order in exactly one.
  const jobs = await paymentJobs();
  assert.ok(jobs.groups.length > 0, 'group payment jobs were enqueued');
  const inJobs = [...jobs.groups.flat(), ...jobs.single].filter((id) => ids.includes(id));
  assert.equal(inJobs.length, 200);
  assert.equal(new Set(inJobs).size, 200);

  await t.drainJobs();
  for (const id of ids) assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
  // The group's follow-ups ran: its seller's index holds every paid sub-order.
  let indexed = 0;
  for (const shard of t.app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ n: number }>(
      "select count(*)::int as n from orders_seller_index where seller_id = $1 and status = 'paid'",
      [item.seller.id],
    );
    indexed += rows[0]!.n;
  }
  assert.equal(indexed, 200);
  const [level] = await t.app.inventory.service.levels([variantId]);
  assert.deepEqual({ sold: level!.sold, reserved: level!.reserved, available: level!.available }, { sold: 200, reserved: 0, available: 0 });
  await assertInvariants(t);
});

test("a group in which one order's payment is declined for good: that order fails and gives its stock back, the others are paid", async () => {
  // The simulated provider declines amounts ending in 13, as a test card would.
  const item = await listing(t, [
    { price: 3100, stock: 10 },
    { price: 2013, stock: 1 },
  ]);
  t.provider.configure({ declineAmountsEndingIn: 13 });
  try {
    const who = onOneDatabase(0, 6);
    const answers = await buyAll('decline', who, (i) => item.variantIds[i === 3 ? 1 : 0]!);
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [202, 202, 202, 202, 202, 202],
    );
    const ids = answers.map((r) => r.json<Accepted>().order.id);
    await assertOneGroupJob(ids);

    await t.drainJobs();
    const statuses = await Promise.all(ids.map((id) => t.app.orders.service.getOrderStatus(id)));
    assert.deepEqual(statuses, ['paid', 'paid', 'paid', 'payment_failed', 'paid', 'paid']);
    for (const id of ids) assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 1, `order ${id} charged once`);
    const levels = await t.app.inventory.service.levels(item.variantIds);
    assert.deepEqual(
      levels.map((l) => [l.sold, l.reserved, l.available]),
      [
        [5, 0, 5],
        [0, 0, 1],
      ],
    );
  } finally {
    t.provider.configure({ declineAmountsEndingIn: null });
  }
  await assertInvariants(t);
});

test('one order the database refuses does not fail its group: it is answered alone, the others are accepted, no stock is held for it', async () => {
  const item = await listing(t, [{ price: 1800, stock: 20 }]);
  const variantId = item.variantIds[0]!;
  const who = onOneDatabase(100, 6);
  const bad = who[2]!;
  // A fault in the database itself for one customer's order (a real PostgreSQL error inside the
  // group's transaction), not a refusal the checkout could foresee.
  for (const shard of t.app.stores.shards.databases) {
    await shard.pool.query(`
      create or replace function test_refuse_order() returns trigger language plpgsql as $$
      begin
        if new.customer_id = '${bad.id}' then raise exception 'refused by the test trigger'; end if;
        return new;
      end $$;
      create trigger test_refuse_order before insert on orders for each row execute function test_refuse_order();`);
  }
  try {
    const before = groupTotals();
    const answers = await buyAll('refuse', who, () => variantId);
    const after = groupTotals();
    assert.ok(after.batches - before.batches < who.length, 'the six went in as a group');
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [202, 202, 500, 202, 202, 202],
    );
    const [level] = await t.app.inventory.service.levels([variantId]);
    assert.equal(level!.reserved, 5, 'the refused order holds no stock');
    // Its key is free again: the same request, once the fault is gone, is taken.
    for (const shard of t.app.stores.shards.databases) await shard.pool.query('drop trigger test_refuse_order on orders');
    const retry = await checkout(t.server, bad, { lines: lines([variantId, 1]), shippingAddress: ADDRESS }, `refuse-${bad.id}`);
    assert.equal(retry.statusCode, 202, retry.body);
  } finally {
    for (const shard of t.app.stores.shards.databases) await shard.pool.query('drop trigger if exists test_refuse_order on orders');
  }
  await t.drainJobs();
  await assertInvariants(t);
});

// How long it waits for company (at most the window) is src/platform/group-commit.test.ts's to judge.
test('a lone buyer is written alone, with its own payment job', async () => {
  const item = await listing(t, [{ price: 1500, stock: 3 }]);
  const before = groupTotals();
  const res = await checkout(t.server, buyers[20]!, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202, res.body);
  const after = groupTotals();
  assert.deepEqual([after.batches - before.batches, after.calls - before.calls], [1, 1]);
  const id = res.json<Accepted>().order.id;
  assert.ok((await paymentJobs()).single.includes(id), 'a group of one has the per-order payment job');
  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
});

test('a worker killed with its group half charged: after a restart every order is paid, each charged and emailed once', async () => {
  const item = await listing(t, [{ price: 2700, stock: 10 }]);
  const answers = await buyAll('kill', onOneDatabase(200, 6), () => item.variantIds[0]!);
  assert.deepEqual(
    answers.map((r) => r.statusCode),
    [202, 202, 202, 202, 202, 202],
  );
  const ids = answers.map((r) => r.json<Accepted>().order.id);
  await assertOneGroupJob(ids);
  const status = () => Promise.all(ids.map((id) => t.app.orders.service.getOrderStatus(id)));
  const charged = () => ids.filter((id) => t.provider.charges().some((c) => c.reference === id)).length;

  const proxy = await chargeProxy(t.provider.url, (nth) => nth > 3);
  const workerEnv = { ...t.env, JOB_LOCK_TIMEOUT_SECONDS: '3', SWEEP_INTERVAL_SECONDS: '1', PAYMENT_TIMEOUT_MS: '30000' };
  const first = runAtelier(['worker'], { ...workerEnv, PAYMENT_PROVIDER_URL: proxy.url });
  try {
    // The group's orders are marked paid together once every charge has an answer: three
    // answered and three never are, so the worker holds all six charged and none marked paid.
    await until(
      'all six charged',
      () => charged() === 6,
      90_000,
      () => first.output(),
    );
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGKILL');
    await first.exited;
  } finally {
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    await proxy.close();
  }
  assert.deepEqual(await status(), Array(6).fill('pending_payment'), 'killed with every order charged and none marked paid');

  const second = runAtelier(['worker'], { ...workerEnv, PAYMENT_PROVIDER_URL: t.provider.url });
  try {
    await until(
      'every order paid and emailed',
      async () => {
        const sent = await t.app.notifications.service.sentKeys();
        return (await status()).every((s) => s === 'paid') && ids.every((id) => sent.has(`order-confirmation:${id}`));
      },
      90_000,
      () => second.output(),
    );
    await until(
      'the stock committed',
      async () => (await t.app.inventory.service.levels([item.variantIds[0]!]))[0]!.sold === 6,
      30_000,
      () => second.output(),
    );
  } finally {
    await stopProcess(second);
  }
  for (const id of ids) assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 1, `order ${id} charged once`);
  await t.drainJobs();
  await assertInvariants(t);
});
