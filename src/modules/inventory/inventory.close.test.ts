import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newId } from '../../shared/ids.ts';
import { createInventoryService } from './inventory.service.ts';
import type { InventoryService } from './index.ts';

/** Commit and release in one statement (repo.closeOrders): its lock order, idempotency and races. */

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
const node = () =>
  createInventoryService({
    db: t.app.stores.catalog.db,
    cache: t.app.cache,
    events: t.app.events,
    catalog: t.app.catalog.service,
    log: t.app.log,
  });

async function level(variantId: string) {
  const [l] = await inv.levels([variantId]);
  return l!;
}

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

describe('inventory: closing reservations in one statement', () => {
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
    const nodes = [node(), node(), node()];
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
