import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newId } from '../../shared/ids.ts';
import { auditRecorder } from '../audit/index.ts';
import { createInventoryService, STATUS_MEMO_MS, type InventoryUseCases } from './inventory.service.ts';
import type { InventoryService, StockLevel } from './index.ts';

let t: TestApp;
let inv: InventoryService;
before(async () => {
  t = await createTestApp();
  inv = t.app.inventory.service;
});
after(async () => {
  await t.close();
});

const later = () => new Date(Date.now() + 15 * 60_000);

async function level(variantId: string): Promise<StockLevel> {
  const [l] = await inv.levels([variantId]);
  return l!;
}

async function stocked(onHand: number): Promise<string> {
  const id = newId();
  await inv.restock(id, onHand);
  return id;
}

async function reservationRows(orderIds: readonly string[]) {
  const { rows } = await sql<{ order_id: string; variant_id: string; quantity: number; status: string }>`
    select order_id, variant_id, quantity, status from inventory_reservations where order_id = any(${[...orderIds]}::uuid[])`.execute(
    t.app.stores.catalog.db,
  );
  return rows;
}

describe('the last item race', () => {
  test('200 concurrent reservations for stock 10: exactly 10 ok, counters exact; commit/release are idempotent', async () => {
    const v = await stocked(10);
    const orders = Array.from({ length: 200 }, () => newId());
    const before = (t.app.inventory.service as InventoryUseCases).batchStats();
    const results = await Promise.all(orders.map((o) => inv.reserve(o, [{ variantId: v, quantity: 1 }], later())));
    const won = orders.filter((_, i) => results[i]!.ok);
    const lost = results.filter((r) => !r.ok);
    assert.equal(won.length, 10);
    assert.equal(lost.length, 190);
    for (const r of lost) assert.deepEqual(r, { ok: false, shortages: [{ variantId: v, requested: 1 }] });
    assert.deepEqual(await level(v), { variantId: v, onHand: 10, reserved: 10, sold: 0, available: 0 });
    assert.equal((await reservationRows(orders)).length, 10, 'a short order leaves no reservation row');
    const stats = (t.app.inventory.service as InventoryUseCases).batchStats();
    assert.ok(stats.batches - before.batches < 200, `group commit: ${stats.batches - before.batches} batches for 200 calls`);

    const toCommit = won.slice(0, 6);
    const toRelease = won.slice(6);
    const closesBefore = (t.app.inventory.service as InventoryUseCases).closeBatchStats().batches;
    await Promise.all([...toCommit.map((o) => inv.commit(o)), ...toRelease.map((o) => inv.release(o))]);
    const closes = (t.app.inventory.service as InventoryUseCases).closeBatchStats().batches - closesBefore;
    assert.ok(closes < 10, `commits and releases are group-committed too (${closes} transactions for 10 calls)`);
    const settled = { variantId: v, onHand: 10, reserved: 0, sold: 6, available: 4 };
    assert.deepEqual(await level(v), settled);

    // Every repeat, and every crossed call (commit a released order, release a committed one), changes nothing.
    await Promise.all([
      ...toCommit.flatMap((o) => [inv.commit(o), inv.release(o), inv.commit(o)]),
      ...toRelease.flatMap((o) => [inv.release(o), inv.commit(o), inv.release(o)]),
      ...lost.map((_, i) => inv.release(orders.filter((o) => !won.includes(o))[i]!)),
    ]);
    assert.deepEqual(await level(v), settled);
    const rows = await reservationRows(won);
    assert.equal(rows.filter((r) => r.status === 'committed').length, 6);
    assert.equal(rows.filter((r) => r.status === 'released').length, 4);
    assert.deepEqual(await inv.findOversold(), []);
  });

  test('re-reserving an order that holds its reservation is ok and takes nothing more; a released order is refused', async () => {
    const v = await stocked(5);
    const order = newId();
    assert.deepEqual(await inv.reserve(order, [{ variantId: v, quantity: 2 }], later()), { ok: true });
    const again = await Promise.all([1, 2, 3].map(() => inv.reserve(order, [{ variantId: v, quantity: 2 }], later())));
    assert.deepEqual(again, [{ ok: true }, { ok: true }, { ok: true }]);
    assert.equal((await level(v)).reserved, 2);

    await inv.commit(order);
    assert.deepEqual(
      await inv.reserve(order, [{ variantId: v, quantity: 2 }], later()),
      { ok: true },
      'a committed order still holds its stock',
    );
    assert.deepEqual(await level(v), { variantId: v, onHand: 5, reserved: 0, sold: 2, available: 3 });

    const released = newId();
    assert.deepEqual(await inv.reserve(released, [{ variantId: v, quantity: 1 }], later()), { ok: true });
    await inv.release(released);
    await assert.rejects(inv.reserve(released, [{ variantId: v, quantity: 1 }], later()), { code: 'INVENTORY_RESERVATION_CLOSED' });
    assert.deepEqual(await level(v), { variantId: v, onHand: 5, reserved: 0, sold: 2, available: 3 });

    // A release and a commit of one order racing each other: exactly one of them happens.
    const raced = newId();
    await inv.reserve(raced, [{ variantId: v, quantity: 1 }], later());
    await Promise.all([inv.release(raced), inv.commit(raced), inv.release(raced)]);
    const after = await level(v);
    assert.equal(after.reserved, 0);
    assert.ok(after.sold === 2 || after.sold === 3, `sold ${after.sold}`);
    assert.equal(after.available, 5 - after.sold);
  });

  test('a multi-line order where one line is short takes nothing on any line', async () => {
    const a = await stocked(5);
    const b = await stocked(1);
    const never = newId();
    const order = newId();
    const result = await inv.reserve(
      order,
      [
        { variantId: a, quantity: 2 },
        { variantId: b, quantity: 2 },
        { variantId: never, quantity: 1 },
      ],
      later(),
    );
    assert.equal(result.ok, false);
    assert.deepEqual(
      !result.ok && [...result.shortages].sort((x, y) => (x.variantId < y.variantId ? -1 : 1)),
      [
        { variantId: b, requested: 2 },
        { variantId: never, requested: 1 },
      ].sort((x, y) => (x.variantId < y.variantId ? -1 : 1)),
    );
    assert.equal((await level(a)).reserved, 0);
    assert.equal((await level(b)).reserved, 0);
    assert.deepEqual(await reservationRows([order]), []);
    // Repeated lines of one variant add up before they are checked.
    assert.equal(
      (
        await inv.reserve(
          newId(),
          [
            { variantId: b, quantity: 1 },
            { variantId: b, quantity: 1 },
          ],
          later(),
        )
      ).ok,
      false,
    );
    assert.equal((await level(b)).reserved, 0);
  });

  test('batches touching the same variants in opposite line orders, on several "nodes", never deadlock; totals stay exact', async () => {
    const a = await stocked(2000);
    const b = await stocked(2000);
    // Three independent batchers against the same store stand in for three API nodes.
    const nodes = [inv, ...[1, 2].map(() => createInventoryService({ ...serviceDeps(), batching: { maxBatch: 7, maxInFlight: 2 } }))];
    const expected = new Map([
      [a, { reserved: 0, sold: 0 }],
      [b, { reserved: 0, sold: 0 }],
    ]);
    const work = Array.from({ length: 300 }, async (_, i) => {
      const node = nodes[i % nodes.length]!;
      const order = newId();
      const qa = 1 + (i % 3);
      const qb = 1 + ((i * 7) % 4);
      const lines =
        i % 2 === 0
          ? [
              { variantId: a, quantity: qa },
              { variantId: b, quantity: qb },
            ]
          : [
              { variantId: b, quantity: qb },
              { variantId: a, quantity: qa },
            ];
      const res = await node.reserve(order, lines, later());
      assert.ok(res.ok, 'there is stock for everybody');
      // Interleave commits and releases (which lock the same rows) with the reservations still running.
      const outcome = i % 3;
      if (outcome === 0) await nodes[(i + 1) % nodes.length]!.commit(order);
      if (outcome === 1) await nodes[(i + 2) % nodes.length]!.release(order);
      for (const [v, q] of [
        [a, qa],
        [b, qb],
      ] as const) {
        const e = expected.get(v)!;
        if (outcome === 0) e.sold += q;
        if (outcome === 2) e.reserved += q;
      }
    });
    await Promise.all(work);
    for (const v of [a, b]) {
      const l = await level(v);
      assert.equal(l.reserved, expected.get(v)!.reserved);
      assert.equal(l.sold, expected.get(v)!.sold);
      assert.equal(l.onHand, 2000);
      const { rows } = await sql<{ reserved: number; sold: number }>`select
          coalesce(sum(quantity) filter (where status = 'reserved'), 0)::int as reserved,
          coalesce(sum(quantity) filter (where status = 'committed'), 0)::int as sold
        from inventory_reservations where variant_id = ${v}`.execute(t.app.stores.catalog.db);
      assert.deepEqual(rows[0], { reserved: l.reserved, sold: l.sold }, 'counters equal the reservation rows');
    }
  });
});

function serviceDeps() {
  return {
    db: t.app.stores.catalog.db,
    cache: t.app.cache,
    events: t.app.events,
    audit: auditRecorder(t.app.events),
    catalog: t.app.catalog.service,
    log: t.app.log,
  };
}

describe('stock levels', () => {
  test('setOnHand below sold + reserved is refused; at or above it is accepted', async () => {
    const v = await stocked(10);
    await inv.reserve(newId(), [{ variantId: v, quantity: 3 }], later());
    const sold = newId();
    await inv.reserve(sold, [{ variantId: v, quantity: 2 }], later());
    await inv.commit(sold);
    await assert.rejects(inv.setOnHand(v, 4), { code: 'INVENTORY_BELOW_COMMITTED', kind: 'conflict' });
    assert.equal((await level(v)).onHand, 10, 'nothing written');
    assert.deepEqual(await inv.setOnHand(v, 5), { variantId: v, onHand: 5, reserved: 3, sold: 2, available: 0 });
    assert.deepEqual(await inv.setOnHand(v, 8), { variantId: v, onHand: 8, reserved: 3, sold: 2, available: 3 });
    const fresh = newId();
    assert.deepEqual(await inv.setOnHand(fresh, 7), { variantId: fresh, onHand: 7, reserved: 0, sold: 0, available: 7 });
    await assert.rejects(inv.setOnHand(v, -1), { code: 'INVENTORY_INVALID_QUANTITY' });
    await assert.rejects(inv.setOnHand(v, 1.5), { code: 'INVENTORY_INVALID_QUANTITY' });
  });

  test('the CHECK constraints refuse an oversell or a negative counter written directly', async () => {
    const v = await stocked(3);
    const db = t.app.stores.catalog.db;
    await assert.rejects(sql`update inventory_stock set reserved = on_hand + 1 where variant_id = ${v}`.execute(db), {
      code: '23514',
      constraint: 'inventory_stock_not_oversold',
    });
    await assert.rejects(sql`update inventory_stock set sold = 2, reserved = 2 where variant_id = ${v}`.execute(db), { code: '23514' });
    await assert.rejects(sql`update inventory_stock set reserved = -1 where variant_id = ${v}`.execute(db), {
      code: '23514',
      constraint: 'inventory_stock_reserved_check',
    });
    await assert.rejects(sql`update inventory_stock set on_hand = 1, sold = 2 where variant_id = ${v}`.execute(db), { code: '23514' });
    assert.deepEqual(await level(v), { variantId: v, onHand: 3, reserved: 0, sold: 0, available: 3 });
  });

  test('restock adds up, creates rows, restockMany does many at once; statuses are coarse', async () => {
    const v = newId();
    assert.equal((await inv.restock(v, 4)).onHand, 4);
    assert.equal((await inv.restock(v, 3)).onHand, 7);
    const w = newId();
    const x = newId();
    const many = await inv.restockMany([
      { variantId: w, quantity: 2 },
      { variantId: x, quantity: 100 },
      { variantId: w, quantity: 3 },
    ]);
    assert.deepEqual(
      many.map((l) => [l.variantId, l.onHand]),
      [
        [w, 5],
        [x, 100],
      ],
    );
    await assert.rejects(inv.restock(v, 0), { code: 'INVENTORY_INVALID_QUANTITY' });
    await assert.rejects(inv.restock(v, 100_001), { code: 'INVENTORY_INVALID_QUANTITY' });
    assert.equal((await level(v)).onHand, 7);

    const never = newId();
    const statuses = await inv.statuses([v, w, x, never, 'not-an-id']);
    assert.deepEqual(
      [...statuses],
      [
        [v, 'in_stock'],
        [w, 'few_left'],
        [x, 'in_stock'],
        [never, 'sold_out'],
        ['not-an-id', 'sold_out'],
      ],
    );
    assert.deepEqual(await level(never), { variantId: never, onHand: 0, reserved: 0, sold: 0, available: 0 });
  });

  test('a status changed on another node shows here within STATUS_MEMO_MS; one changed here shows at once', async () => {
    const v = await stocked(50);
    const elsewhere = createInventoryService(serviceDeps());
    assert.equal((await inv.statuses([v])).get(v), 'in_stock');
    await elsewhere.setOnHand(v, 0);
    // Still the reading this process kept: statuses are for showing, and a sale never trusts one.
    assert.equal((await inv.statuses([v])).get(v), 'in_stock');
    const changed = Date.now();
    while ((await inv.statuses([v])).get(v) !== 'sold_out') {
      assert.ok(Date.now() - changed < STATUS_MEMO_MS + 500, "the other node's change never showed");
      await sleep(20);
    }
    await inv.restock(v, 3);
    assert.equal((await inv.statuses([v])).get(v), 'few_left', 'a change made here replaces the kept reading');
  });

  test('stock.low is published (once) when available drops to the threshold', async () => {
    const seen: Array<{ variantId: string; available: number; threshold: number }> = [];
    t.app.events.subscribe('stock.low', 'inventory-test', async (event) => {
      seen.push(event.payload as (typeof seen)[number]);
    });
    const v = await stocked(8);
    await inv.reserve(newId(), [{ variantId: v, quantity: 2 }], later()); // 6 left
    await t.drainJobs();
    assert.deepEqual(
      seen.filter((e) => e.variantId === v),
      [],
    );
    await inv.reserve(newId(), [{ variantId: v, quantity: 1 }], later()); // 5 left: crosses
    await inv.reserve(newId(), [{ variantId: v, quantity: 1 }], later()); // 4 left: already low
    await t.drainJobs();
    assert.deepEqual(
      seen.filter((e) => e.variantId === v),
      [{ variantId: v, available: 5, threshold: 5 }],
    );
    // Lowering on hand crosses too.
    const w = await stocked(20);
    await inv.setOnHand(w, 3);
    await t.drainJobs();
    assert.deepEqual(
      seen.filter((e) => e.variantId === w),
      [{ variantId: w, available: 3, threshold: 5 }],
    );
  });
});

describe('expiry and bad calls', () => {
  test('listExpired finds orders past their expiry; extend pushes it; closed reservations are not listed', async () => {
    const v = await stocked(10);
    const past = new Date(Date.now() - 60_000);
    const old = newId();
    const extended = newId();
    const committed = newId();
    for (const o of [old, extended, committed]) await inv.reserve(o, [{ variantId: v, quantity: 1 }], past);
    await inv.extend(extended, later());
    await inv.extend(old, new Date(Date.now() - 3_600_000)); // never shortens
    await inv.commit(committed);
    const expired = (await inv.listExpired(new Date(), 1000)).map((e) => e.orderId);
    assert.ok(expired.includes(old));
    assert.ok(!expired.includes(extended));
    assert.ok(!expired.includes(committed));
    const mine = (await inv.listExpired(new Date(), 1000)).find((e) => e.orderId === old);
    assert.equal(mine?.expiresAt.getTime(), past.getTime());
  });

  test('malformed calls are refused before they reach a batch; a malformed variant is short', async () => {
    const v = await stocked(3);
    await assert.rejects(inv.reserve('nope', [{ variantId: v, quantity: 1 }], later()), { code: 'INVENTORY_INVALID_ORDER_ID' });
    await assert.rejects(inv.reserve(newId(), [], later()), { code: 'INVENTORY_INVALID_LINES' });
    for (const quantity of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(inv.reserve(newId(), [{ variantId: v, quantity }], later()), { code: 'INVENTORY_INVALID_QUANTITY' });
    }
    assert.deepEqual(await inv.reserve(newId(), [{ variantId: 'bad', quantity: 1 }], later()), {
      ok: false,
      shortages: [{ variantId: 'bad', requested: 1 }],
    });
    // Commit/release of an unknown or malformed order are no-ops, not errors.
    await inv.commit('nope');
    await inv.release(newId());
    assert.deepEqual(await level(v), { variantId: v, onHand: 3, reserved: 0, sold: 0, available: 3 });
  });
});

async function statuses(orderIds: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await t.app.stores.catalog.pool.query<{ order_id: string; status: string }>(
    'select distinct order_id, status from inventory_reservations where order_id = any($1::uuid[])',
    [orderIds],
  );
  return new Map(rows.map((r) => [r.order_id, r.status]));
}

/** Runs `fn` while another transaction holds the lock on these stock rows, then lets go. */
async function whileStockLocked<T>(
  variantIds: string[],
  fn: (client: { query: (text: string, values?: unknown[]) => Promise<unknown> }) => Promise<T>,
) {
  const holder = await t.app.stores.catalog.pool.connect();
  const probe = await t.app.stores.catalog.pool.connect();
  try {
    await holder.query('begin');
    await holder.query('select 1 from inventory_stock where variant_id = any($1::uuid[]) for update', [variantIds]);
    return await fn({
      query: async (text, values) => {
        const res = await probe.query<Record<string, unknown>>(text, values as unknown[]);
        return res.rows;
      },
    });
  } finally {
    await holder.query('rollback').catch(() => undefined);
    holder.release();
    probe.release();
  }
}

/** Commit and release in one statement (repo.closeOrders): its lock order, idempotency and races. */
describe('closing reservations in one statement', () => {
  test('the stock rows are locked before the reservation rows (the order every inventory transaction keeps)', async () => {
    const v = newId();
    await inv.restock(v, 10);
    const order = newId();
    assert.deepEqual(await inv.reserve(order, [{ variantId: v, quantity: 2 }], later()), { ok: true });
    let committing!: Promise<void>;
    await whileStockLocked([v], async (probe) => {
      committing = inv.commit(order);
      await sleep(300); // the commit is now waiting for the stock row
      // Its reservation rows are not locked yet: a reserve batch holding stock rows and touching
      // this order's reservations could otherwise wait on it while it waits on them.
      const rows = (await probe.query('select status from inventory_reservations where order_id = $1 for update nowait', [
        order,
      ])) as Array<{ status: string }>;
      assert.deepEqual(rows, [{ status: 'reserved' }]);
    });
    await committing;
    assert.deepEqual(await level(v), { variantId: v, onHand: 10, reserved: 0, sold: 2, available: 8 });
  });

  test('commits and releases of the same orders from three nodes, queued on one lock: each order closes once', async () => {
    const v = newId();
    const w = newId();
    await inv.restock(v, 100);
    await inv.restock(w, 100);
    const orders = Array.from({ length: 12 }, () => newId());
    for (const [i, o] of orders.entries()) {
      const lines =
        i % 2 === 0
          ? [
              { variantId: v, quantity: 2 },
              { variantId: w, quantity: 1 },
            ]
          : [{ variantId: w, quantity: 3 }];
      assert.deepEqual(await inv.reserve(o, lines, later()), { ok: true });
    }
    const nodes = [1, 2, 3].map(() => createInventoryService(serviceDeps()));
    await whileStockLocked([v, w], async () => {
      const calls = orders.flatMap((o, i) => [
        nodes[i % 3]!.commit(o),
        nodes[(i + 1) % 3]!.release(o),
        nodes[(i + 2) % 3]!.commit(o),
        nodes[(i + 2) % 3]!.release(o),
      ]);
      await sleep(300);
      return calls;
    }).then((calls) => Promise.all(calls));
    const closed = await statuses(orders);
    assert.equal(closed.size, orders.length, 'one status per order');
    const expected = { v: { sold: 0, reserved: 0 }, w: { sold: 0, reserved: 0 } };
    for (const [i, o] of orders.entries()) {
      const status = closed.get(o);
      assert.ok(status === 'committed' || status === 'released', `${o}: ${status}`);
      if (status !== 'committed') continue;
      if (i % 2 === 0) {
        expected.v.sold += 2;
        expected.w.sold += 1;
      } else expected.w.sold += 3;
    }
    for (const [id, e] of [
      [v, expected.v],
      [w, expected.w],
    ] as const) {
      const l = await level(id);
      assert.deepEqual({ sold: l.sold, reserved: l.reserved }, e, `counters of ${id} equal the reservation rows`);
    }
    // And again, after the fact: nothing moves.
    const before = [await level(v), await level(w)];
    await Promise.all(orders.flatMap((o) => [inv.commit(o), inv.release(o)]));
    assert.deepEqual([await level(v), await level(w)], before);
  });
});
