import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import { newId } from '../../shared/ids.ts';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { createProjections, parseEvent, type ParsedEvent, type Projections } from './reporting.projections.ts';

// Batches applied at the same time that update the same rows (a seller's day, the platform's day
// and minute, a product's day): every one counts, none deadlocks, and a redelivery changes nothing.
// The projections are called directly, so an error (a deadlock) fails the test instead of being
// retried one event at a time by the bus.

let t: TestApp;
let catalog: Kysely<unknown>;
let projections: Projections;

before(async () => {
  t = await createTestApp({ PG_POOL_MAX: '12' });
  catalog = t.app.stores.catalog.db;
  projections = createProjections({ db: catalog, catalog: t.app.catalog.service, log: pino({ level: 'silent' }) });
});
after(() => t.close());

const AT = '2031-03-04T10:15:30.000Z';
const CURRENCY = 'XCC';

function orderPaid(payload: Record<string, unknown>): { id: string; parsed: ParsedEvent } {
  const id = newId();
  const parsed = parseEvent({ id, type: 'order.paid', occurredAt: AT, payload } as never);
  assert.ok(parsed, 'a readable order.paid');
  return { id, parsed };
}

test('concurrent batches on the same seller, day and product all count, without deadlock, and apply once', async () => {
  const sellerA = newId();
  const sellerB = newId();
  const productId = newId();
  // Ten batches of three orders each: one for both sellers (in either order, so the batches would
  // lock the two sellers' rows in opposite orders if they followed the payload), and one line of
  // one product for seller A alone (a variant the catalog does not know: credited to the only seller).
  const batches = Array.from({ length: 10 }, (_, i) => {
    const two = [
      { id: newId(), shopId: newId(), sellerId: sellerA, total: 100 },
      { id: newId(), shopId: newId(), sellerId: sellerB, total: 200 },
    ];
    return [
      orderPaid({
        orderId: newId(),
        customerId: newId(),
        total: 300,
        currency: CURRENCY,
        subOrders: i % 2 ? two.reverse() : two,
        lines: [],
      }),
      orderPaid({
        orderId: newId(),
        customerId: newId(),
        total: 50,
        currency: CURRENCY,
        subOrders: [{ id: newId(), shopId: newId(), sellerId: sellerA, total: 50 }],
        lines: [{ variantId: newId(), productId, quantity: 2, unitPrice: 25 }],
      }),
      orderPaid({
        orderId: newId(),
        customerId: newId(),
        total: 70,
        currency: CURRENCY,
        subOrders: [{ id: newId(), shopId: newId(), sellerId: sellerB, total: 70 }],
        lines: [],
      }),
    ];
  });

  const figures = async () => {
    const daily = await sql<{ seller_id: string; orders: number; revenue: number }>`
      select seller_id::text, orders, revenue::int as revenue from reporting_seller_daily
      where currency = ${CURRENCY} and day = '2031-03-04' order by revenue`.execute(catalog);
    const products = await sql<{ units: number; revenue: number }>`
      select units::int as units, revenue::int as revenue from reporting_seller_products
      where currency = ${CURRENCY} and seller_id = ${sellerA} and product_id = ${productId}`.execute(catalog);
    const platform = await sql<{ orders: number; gross: number }>`
      select d.orders, d.gross::int as gross from reporting_platform_daily d
      where d.currency = ${CURRENCY} and d.day = '2031-03-04'`.execute(catalog);
    const minutes = await sql<{ orders: number; gross: number }>`
      select orders, gross::int as gross from reporting_platform_minutes
      where currency = ${CURRENCY} and minute = '2031-03-04T10:15:00Z'`.execute(catalog);
    return { daily: daily.rows, products: products.rows, platform: platform.rows, minutes: minutes.rows };
  };
  const expected = {
    daily: [
      { seller_id: sellerA, orders: 20, revenue: 10 * (100 + 50) },
      { seller_id: sellerB, orders: 20, revenue: 10 * (200 + 70) },
    ].sort((a, b) => a.revenue - b.revenue),
    products: [{ units: 20, revenue: 500 }],
    platform: [{ orders: 30, gross: 10 * (300 + 50 + 70) }],
    minutes: [{ orders: 30, gross: 10 * (300 + 50 + 70) }],
  };

  const applied = await Promise.all(batches.map((b) => projections.handle(b)));
  assert.deepEqual(applied, Array(10).fill(3));
  assert.deepEqual(await figures(), expected);

  // Delivered again, at the same time, and regrouped: nothing new.
  const regrouped = [batches.flat().slice(0, 15), batches.flat().slice(15), batches.flat().reverse()];
  assert.deepEqual(await Promise.all(regrouped.map((b) => projections.handle(b))), [0, 0, 0]);
  assert.deepEqual(await figures(), expected);
});
