import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ORDER_STATUSES, transition, type OrderStatus } from '../../src/modules/orders/index.ts';
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
let alice: Actor;
let bob: Actor;
let shopA: Listing;
let shopB: Listing;

before(async () => {
  t = await createTestApp();
  const accounts = await signUpMany(t.server, 2);
  alice = accounts[0]!;
  bob = accounts[1]!;
  shopA = await listing(t, [
    { price: 1250, stock: 100 },
    { price: 800, stock: 100 },
  ]);
  shopB = await listing(t, [{ price: 3000, stock: 100 }]);
});
after(() => t?.close());

const get = (actor: Actor, url: string) => t.server.inject({ method: 'GET', url, headers: actor.headers });
const post = (actor: Actor, url: string, payload?: Record<string, unknown>, key?: string) =>
  t.server.inject({
    method: 'POST',
    url,
    headers: { ...actor.headers, ...(key ? { 'idempotency-key': key } : {}) },
    ...(payload ? { payload } : {}),
  });

type Detail = {
  order: {
    id: string;
    status: string;
    total: { amount: number };
    subOrders: Array<{ id: string; shopId: string; status: string; total: { amount: number } }>;
  };
};

async function paidOrder(buyer: Actor): Promise<Detail['order']> {
  const res = await checkout(t.server, buyer, {
    lines: lines([shopA.variantIds[0]!, 2], [shopA.variantIds[1]!, 1], [shopB.variantIds[0]!, 1]),
    shippingAddress: ADDRESS,
  });
  assert.equal(res.statusCode, 202, res.body);
  await t.drainJobs();
  const detail = await get(buyer, res.json<Accepted>().statusUrl);
  assert.equal(detail.statusCode, 200, detail.body);
  return detail.json<Detail>().order;
}

describe('tampering', () => {
  test('a client-sent price or total is ignored: the total is catalog price x quantity', async () => {
    const res = await checkout(t.server, alice, {
      lines: [
        { variantId: shopA.variantIds[0]!, quantity: 3, price: 1 },
        { variantId: shopB.variantIds[0]!, quantity: 1, price: { amount: 1, currency: 'EUR' } },
      ],
      shippingAddress: ADDRESS,
      total: 2,
    });
    assert.equal(res.statusCode, 202, res.body);
    const { order } = res.json<Accepted>();
    assert.equal(order.total.amount, 1250 * 3 + 3000);
    await t.drainJobs();
    assert.equal(t.provider.charges().find((c) => c.reference === order.id)?.amount, 1250 * 3 + 3000);
    const detail = (await get(alice, `/api/v1/orders/${order.id}`)).json<Detail>().order;
    assert.equal(detail.status, 'paid');
    assert.deepEqual(
      detail.subOrders.map((s) => s.total.amount).sort((a, b) => a - b),
      [3000, 3750],
    );
  });

  test('zero, negative, fractional and oversized quantities are 400 and write nothing', async () => {
    const before = await ordersSnapshot(t);
    const [levelBefore] = await t.app.inventory.service.levels([shopA.variantIds[0]!]);
    for (const quantity of [0, -1, 1.5, 51]) {
      const res = await checkout(t.server, alice, { lines: [{ variantId: shopA.variantIds[0]!, quantity }], shippingAddress: ADDRESS });
      assertError(res, 400, 'INVALID_FIELD', 'body.lines[0].quantity');
    }
    assertError(await checkout(t.server, alice, { lines: [], shippingAddress: ADDRESS }), 400, 'INVALID_FIELD', 'body.lines');
    assertError(await checkout(t.server, alice, { lines: lines([shopA.variantIds[0]!, 1]) }), 400, 'MISSING_FIELD', 'body.shippingAddress');
    assertError(
      await checkout(t.server, alice, { lines: lines([shopA.variantIds[0]!, 1]), shippingAddress: ADDRESS, coupon: 'FREE' }),
      400,
      'UNKNOWN_FIELD',
      'body.coupon',
    );
    assertError(
      await checkout(t.server, alice, { lines: lines([shopA.variantIds[0]!, 1], [shopA.variantIds[0]!, 2]), shippingAddress: ADDRESS }),
      400,
      'ORDERS_DUPLICATE_LINE',
      'body.lines[1].variantId',
    );
    assert.equal(await ordersSnapshot(t), before);
    assert.deepEqual(await t.app.inventory.service.levels([shopA.variantIds[0]!]), [levelBefore]);
  });

  test('an unknown variant is 409 ORDERS_LINE_UNAVAILABLE naming the line, nothing reserved', async () => {
    const ghost = '01900000-0000-7000-8000-000000000000';
    const [levelBefore] = await t.app.inventory.service.levels([shopA.variantIds[0]!]);
    const res = await checkout(t.server, alice, { lines: lines([shopA.variantIds[0]!, 1], [ghost, 2]), shippingAddress: ADDRESS });
    assertError(res, 409, 'ORDERS_LINE_UNAVAILABLE');
    assert.deepEqual(res.json<{ error: { details: unknown } }>().error.details, { lines: [{ variantId: ghost, requested: 2 }] });
    assert.deepEqual(await t.app.inventory.service.levels([shopA.variantIds[0]!]), [levelBefore]);
  });

  test('checkout needs a signed-in account', async () => {
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/checkout',
      headers: { 'idempotency-key': 'anon' },
      payload: { lines: lines([shopA.variantIds[0]!, 1]), shippingAddress: ADDRESS },
    });
    assert.equal(res.statusCode, 401);
  });
});

describe('ownership', () => {
  test("customer A gets 404 for customer B's order, and cannot cancel it", async () => {
    const res = await checkout(t.server, bob, { lines: lines([shopA.variantIds[0]!, 1]), shippingAddress: ADDRESS });
    const { id } = res.json<Accepted>().order;
    assertError(await get(alice, `/api/v1/orders/${id}`), 404, 'ORDERS_ORDER_NOT_FOUND');
    assertError(await post(alice, `/api/v1/orders/${id}/cancel`), 404, 'ORDERS_ORDER_NOT_FOUND');
    assertError(await get(alice, '/api/v1/orders/01900000-0000-7fff-8000-000000000000'), 404, 'ORDERS_ORDER_NOT_FOUND');
    assert.equal((await get(bob, `/api/v1/orders/${id}`)).statusCode, 200);
    const list = (await get(alice, '/api/v1/orders')).json<{ items: Array<{ id: string }> }>();
    assert.ok(!list.items.some((o) => o.id === id));
    // Bob cancels his own unpaid order: the stock goes back.
    const [held] = await t.app.inventory.service.levels([shopA.variantIds[0]!]);
    const cancelled = await post(bob, `/api/v1/orders/${id}/cancel`);
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json<{ order: { status: string } }>().order.status, 'cancelled');
    const [freed] = await t.app.inventory.service.levels([shopA.variantIds[0]!]);
    assert.equal(freed!.reserved, held!.reserved - 1);
    await t.drainJobs();
    assert.equal(await t.app.orders.service.getOrderStatus(id), 'cancelled', 'the payment job does not revive a cancelled order');
    assert.equal(t.provider.charges().filter((c) => c.reference === id).length, 0);
  });

  test("seller A cannot see or advance seller B's sub-order; each seller sees their own in their list", async () => {
    const order = await paidOrder(alice);
    const subA = order.subOrders.find((s) => s.shopId === shopA.shopId)!;
    const subB = order.subOrders.find((s) => s.shopId === shopB.shopId)!;
    assertError(await get(shopA.seller, `/api/v1/seller/orders/${subB.id}`), 404, 'ORDERS_SUB_ORDER_NOT_FOUND');
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${subB.id}/advance`, { to: 'fulfilled' }),
      404,
      'ORDERS_SUB_ORDER_NOT_FOUND',
    );
    assertError(await post(shopA.seller, `/api/v1/seller/orders/${subB.id}/refund`), 404, 'ORDERS_SUB_ORDER_NOT_FOUND');
    assert.equal((await get(alice, `/api/v1/seller/orders/${subA.id}`)).statusCode, 403, 'customers are not sellers');

    const listA = (await get(shopA.seller, '/api/v1/seller/orders')).json<{
      items: Array<{ subOrderId: string; orderId: string; total: { amount: number } }>;
    }>();
    assert.ok(listA.items.some((i) => i.subOrderId === subA.id && i.orderId === order.id && i.total.amount === 1250 * 2 + 800));
    assert.ok(!listA.items.some((i) => i.subOrderId === subB.id));
    const listB = (await get(shopB.seller, '/api/v1/seller/orders')).json<{ items: Array<{ subOrderId: string }> }>();
    assert.ok(listB.items.some((i) => i.subOrderId === subB.id));

    const sent = await t.app.notifications.service.sentKeys();
    assert.ok(sent.has(`order-confirmation:${order.id}`));
    assert.ok(sent.has(`seller-new-order:${subA.id}`) && sent.has(`seller-new-order:${subB.id}`), 'one email per seller');

    const detail = await get(shopA.seller, `/api/v1/seller/orders/${subA.id}`);
    assert.equal(detail.statusCode, 200, detail.body);
    assert.equal(detail.json<{ subOrder: { lines: unknown[] } }>().subOrder.lines.length, 2);
  });

  test('sellers advance their sub-orders; the order follows; a refund goes through the provider', async () => {
    const order = await paidOrder(alice);
    const subA = order.subOrders.find((s) => s.shopId === shopA.shopId)!;
    const subB = order.subOrders.find((s) => s.shopId === shopB.shopId)!;
    for (const to of ['fulfilled', 'shipped', 'delivered']) {
      const res = await post(shopA.seller, `/api/v1/seller/orders/${subA.id}/advance`, { to });
      assert.equal(res.statusCode, 200, res.body);
    }
    assert.equal(await t.app.orders.service.getOrderStatus(order.id), 'paid', 'B has not moved yet');
    const refund = await post(shopB.seller, `/api/v1/seller/orders/${subB.id}/refund`);
    assert.equal(refund.statusCode, 200, refund.body);
    assert.equal(await t.app.orders.service.getOrderStatus(order.id), 'delivered');
    // A full refund asked again is the same refund (keyed by the sub-order), not a second one.
    const again = await post(shopB.seller, `/api/v1/seller/orders/${subB.id}/refund`);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json<{ replayed: boolean }>().replayed, true);
    assert.equal(t.provider.refunds().filter((r) => r.idempotencyKey.startsWith(`refund:${subB.id}`)).length, 1);
    assertError(
      await post(shopB.seller, `/api/v1/seller/orders/${subB.id}/refund`, { amount: 1 }, 'more'),
      409,
      'ORDERS_ILLEGAL_TRANSITION',
    );
    assertError(await post(shopA.seller, `/api/v1/seller/orders/${subA.id}/advance`, { to: 'shipped' }), 409, 'ORDERS_ILLEGAL_TRANSITION');
    assertError(await post(shopA.seller, `/api/v1/seller/orders/${subA.id}/advance`, { to: 'paid' }), 400, 'INVALID_FIELD', 'body.to');
    await t.drainJobs();
    const listB = (await get(shopB.seller, '/api/v1/seller/orders')).json<{ items: Array<{ subOrderId: string; status: string }> }>();
    assert.equal(listB.items.find((i) => i.subOrderId === subB.id)?.status, 'refunded', 'the seller index follows');
    await assertInvariants(t);
  });

  test('order lists page by keyset, newest first, without gaps or repeats', async () => {
    const [carol] = await signUpMany(t.server, 1);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await checkout(t.server, carol!, { lines: lines([shopA.variantIds[1]!, 1]), shippingAddress: ADDRESS });
      ids.push(res.json<Accepted>().order.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(carol!, `/api/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json<{ items: Array<{ id: string }>; nextCursor: string | null }>();
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...ids].reverse());
    assertError(await get(carol!, '/api/v1/orders?cursor=nope'), 400, 'ORDERS_BAD_CURSOR', 'querystring.cursor');
  });
});

describe('state machine', () => {
  /** Puts an order (and its sub-orders) into `status` directly: the setup for one refused move. */
  async function orderIn(status: OrderStatus): Promise<{ id: string; subId: string }> {
    const order = await paidOrder(alice);
    const sub = order.subOrders.find((s) => s.shopId === shopA.shopId)!;
    const pool = t.app.stores.shards.forId(order.id).pool;
    await pool.query('update orders set status = $2 where id = $1', [order.id, status]);
    await pool.query('update sub_orders set status = $2 where order_id = $1', [order.id, status]);
    return { id: order.id, subId: sub.id };
  }

  test('every illegal move through the API is refused with 409 and leaves the order unchanged', async () => {
    const moves: Array<{
      to: OrderStatus;
      call: (o: { id: string; subId: string }) => ReturnType<typeof post>;
      actor: 'customer' | 'seller';
    }> = [
      { to: 'cancelled', actor: 'customer', call: (o) => post(alice, `/api/v1/orders/${o.id}/cancel`) },
      {
        to: 'fulfilled',
        actor: 'seller',
        call: (o) => post(shopA.seller, `/api/v1/seller/orders/${o.subId}/advance`, { to: 'fulfilled' }),
      },
      { to: 'shipped', actor: 'seller', call: (o) => post(shopA.seller, `/api/v1/seller/orders/${o.subId}/advance`, { to: 'shipped' }) },
      {
        to: 'delivered',
        actor: 'seller',
        call: (o) => post(shopA.seller, `/api/v1/seller/orders/${o.subId}/advance`, { to: 'delivered' }),
      },
      { to: 'refunded', actor: 'seller', call: (o) => post(shopA.seller, `/api/v1/seller/orders/${o.subId}/refund`) },
    ];
    let refused = 0;
    for (const from of ORDER_STATUSES) {
      // Sellers never see unpaid sub-orders (404, not 409): that is covered by the ownership tests.
      const o = await orderIn(from);
      for (const move of moves) {
        if (transition(from, move.to, move.actor).ok) continue;
        if (move.actor === 'seller' && (from === 'pending_payment' || from === 'payment_failed' || from === 'cancelled')) continue;
        const before = await ordersSnapshot(t);
        const res = await move.call(o);
        assertError(res, 409, 'ORDERS_ILLEGAL_TRANSITION');
        assert.equal(await ordersSnapshot(t), before, `${from} -> ${move.to} changed something`);
        refused++;
      }
    }
    // 8 states x 5 API moves, less the 9 legal ones and the 12 seller moves on unpaid sub-orders (404).
    assert.equal(refused, 19);
  });

  test('sellers get 404 (not 409) for unpaid sub-orders', async () => {
    const o = await orderIn('pending_payment');
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${o.subId}/advance`, { to: 'fulfilled' }),
      404,
      'ORDERS_SUB_ORDER_NOT_FOUND',
    );
  });
});

test('every orders route is in the OpenAPI document, tagged, with its success response', async () => {
  const doc = (await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
    paths: Record<string, Record<string, { tags?: string[]; responses?: Record<string, unknown> }>>;
  }>();
  for (const [path, method, status] of [
    ['/api/v1/checkout', 'post', '202'],
    ['/api/v1/orders', 'get', '200'],
    ['/api/v1/orders/{id}', 'get', '200'],
    ['/api/v1/orders/{id}/cancel', 'post', '200'],
    ['/api/v1/seller/orders', 'get', '200'],
    ['/api/v1/seller/orders/{subOrderId}', 'get', '200'],
    ['/api/v1/seller/orders/{subOrderId}/advance', 'post', '200'],
    ['/api/v1/seller/orders/{subOrderId}/refund', 'post', '200'],
  ] as const) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path} is documented`);
    assert.deepEqual(op.tags, ['orders']);
    assert.ok(op.responses?.[status], `${method} ${path} documents ${status}`);
  }
});
