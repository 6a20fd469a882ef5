import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AUDIT_EVENT } from '../../src/modules/audit/index.ts';
import { formatMoney, outboxFileName } from '../../src/modules/notifications/index.ts';
import { orderReference } from '../../src/shared/ids.ts';
import { signUpAdmin } from '../../src/modules/catalog/catalog.test-support.ts';
import { unfold } from '../support/mail.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, assertError, checkout, lines, listing, signUpMany, type Accepted, type Actor, type Listing } from './support.ts';

// The seller's and the operator's order work (issue 15): moves with tracking, refunds, emails,
// filters, the packing slip, the operator's look-ups, and the audit entries of every change.

let t: TestApp;
let buyer: Actor;
let buyerEmail: string;
let admin: Actor;
let shopA: Listing;
let shopB: Listing;
const audited: Array<Record<string, unknown>> = [];

before(async () => {
  t = await createTestApp();
  // What the audit log's subscriber will receive: every audited action, published in its change's transaction.
  t.app.events.subscribe(AUDIT_EVENT, 'fulfilment-test', async (event) => {
    audited.push(event.payload);
  });
  buyer = (await signUpMany(t.server, 1))[0]!;
  buyerEmail = (await t.app.identity.service.getAccount(buyer!.id))!.email;
  admin = await signUpAdmin(t);
  shopA = await listing(t, [
    { price: 1250, stock: 500 },
    { price: 800, stock: 500 },
  ]);
  shopB = await listing(t, [{ price: 3000, stock: 500 }]);
});
after(() => t?.close());

type Json = Record<string, unknown>;
const get = (actor: Actor, url: string) => t.server.inject({ method: 'GET', url, headers: actor.headers });
const post = (actor: Actor, url: string, payload?: Json, key?: string) =>
  t.server.inject({
    method: 'POST',
    url,
    headers: { ...actor.headers, ...(key ? { 'idempotency-key': key } : {}) },
    ...(payload ? { payload } : {}),
  });

type Order = { id: string; subOrders: Array<{ id: string; shopId: string; total: { amount: number; currency: string } }> };

/** A paid order of two units of A's first variant, one of A's second, one of B's. */
async function paidOrder(): Promise<{ order: Order; subA: string; subB: string }> {
  const res = await checkout(t.server, buyer, {
    lines: lines([shopA.variantIds[0]!, 2], [shopA.variantIds[1]!, 1], [shopB.variantIds[0]!, 1]),
    shippingAddress: ADDRESS,
  });
  assert.equal(res.statusCode, 202, res.body);
  await t.drainJobs();
  const order = (await get(buyer, res.json<Accepted>().statusUrl)).json<{ order: Order }>().order;
  return {
    order,
    subA: order.subOrders.find((s) => s.shopId === shopA.shopId)!.id,
    subB: order.subOrders.find((s) => s.shopId === shopB.shopId)!.id,
  };
}

const A_TOTAL = 1250 * 2 + 800;

async function mail(messageKey: string): Promise<string> {
  await t.drainJobs();
  return unfold(await readFile(path.join(t.app.config.mail.outboxDir, outboxFileName(messageKey)), 'utf8'));
}

/** What the simulated provider refunded for a sub-order (its refunds carry keys made from the sub-order id). */
const providerRefunds = (subOrderId: string) => t.provider.refunds().filter((r) => r.idempotencyKey.startsWith(`refund:${subOrderId}`));

describe('moves', () => {
  test('shipped with a known carrier: the buyer is emailed the carrier, the tracking number and the built link', async () => {
    const { order, subA } = await paidOrder();
    const moved = await post(shopA.seller, `/api/v1/seller/orders/${subA}/advance`, {
      to: 'shipped',
      carrier: 'ups',
      trackingNumber: '1Z 999 AA1',
    });
    assert.equal(moved.statusCode, 200, moved.body);
    const link = 'https://www.ups.com/track?tracknum=1Z%20999%20AA1';
    assert.deepEqual(moved.json<{ subOrder: Json }>().subOrder, {
      id: subA,
      status: 'shipped',
      shipment: { carrier: 'ups', trackingNumber: '1Z 999 AA1', trackingUrl: link },
    });
    const email = await mail(`order-shipped:${subA}`);
    assert.match(email, new RegExp(`^To: ${buyerEmail}$`, 'm'));
    assert.match(email, new RegExp(`Subject: Your Atelier order ${orderReference(order.id)} has shipped`));
    assert.match(email, /Carrier: UPS$/m);
    assert.match(email, /Tracking number: 1Z 999 AA1$/m);
    assert.ok(email.includes(`Track your parcel: ${link}`), email);

    const detail = (await get(shopA.seller, `/api/v1/seller/orders/${subA}`)).json<{ subOrder: Json }>().subOrder;
    assert.equal(detail.status, 'shipped');
    assert.deepEqual(detail.shipment, { carrier: 'ups', carrierName: 'UPS', trackingNumber: '1Z 999 AA1', trackingUrl: link });
    assert.ok(detail.shippedAt && !detail.fulfilledAt, 'shipped straight from paid');

    const entry = audited.find((a) => a.action === 'sub_order.shipped' && a.targetId === subA);
    assert.ok(entry, 'the move is audited');
    assert.equal((entry.actor as Json).accountId, shopA.seller.id);
    assert.deepEqual(entry.before, { status: 'paid', carrier: null, trackingNumber: null, trackingUrl: null });
    assert.deepEqual(entry.after, { status: 'shipped', carrier: 'ups', trackingNumber: '1Z 999 AA1', trackingUrl: link });

    const delivered = await post(shopA.seller, `/api/v1/seller/orders/${subA}/advance`, { to: 'delivered' });
    assert.equal(delivered.statusCode, 200, delivered.body);
    assert.match(await mail(`order-delivered:${subA}`), /was delivered/);
  });

  test('an unknown carrier takes the link the seller gives', async () => {
    const { subA } = await paidOrder();
    const res = await post(shopA.seller, `/api/v1/seller/orders/${subA}/advance`, {
      to: 'shipped',
      carrier: 'Village Courier',
      trackingNumber: 'VC-77',
      trackingUrl: 'https://courier.example/t/VC-77',
    });
    assert.equal(res.statusCode, 200, res.body);
    const email = await mail(`order-shipped:${subA}`);
    assert.match(email, /Carrier: Village Courier$/m);
    assert.ok(email.includes('Track your parcel: https://courier.example/t/VC-77'));
  });

  test('impossible moves are 409 ORDERS_ILLEGAL_TRANSITION naming both states; shipment fields only go with shipped', async () => {
    const { subA } = await paidOrder();
    const advance = (body: Json) => post(shopA.seller, `/api/v1/seller/orders/${subA}/advance`, body);
    const refused = await advance({ to: 'delivered' });
    assertError(refused, 409, 'ORDERS_ILLEGAL_TRANSITION');
    assert.deepEqual(refused.json<{ error: { details: Json } }>().error.details, { from: 'paid', to: 'delivered' });
    assertError(await advance({ to: 'fulfilled', trackingNumber: 'X1' }), 400, 'ORDERS_SHIPMENT_ONLY_WHEN_SHIPPING', 'body.trackingNumber');
    assertError(await advance({ to: 'shipped', trackingNumber: 'X1' }), 400, 'ORDERS_CARRIER_REQUIRED', 'body.carrier');
    assertError(
      await advance({ to: 'shipped', carrier: 'ups', trackingUrl: 'javascript:alert(1)' }),
      400,
      'INVALID_FIELD',
      'body.trackingUrl',
    );
    assert.equal((await advance({ to: 'fulfilled' })).statusCode, 200);
    assertError(await advance({ to: 'fulfilled' }), 409, 'ORDERS_ILLEGAL_TRANSITION');
    assert.equal((await advance({ to: 'shipped', carrier: 'dhl', trackingNumber: 'JD01' })).statusCode, 200);
    assertError(await advance({ to: 'fulfilled' }), 409, 'ORDERS_ILLEGAL_TRANSITION');
    assert.equal((await advance({ to: 'delivered' })).statusCode, 200);
    assertError(await advance({ to: 'shipped', carrier: 'dhl' }), 409, 'ORDERS_ILLEGAL_TRANSITION');
  });
});

describe('refunds', () => {
  test("one line refunded: the provider, the payment attempts and the buyer's email show exactly that amount; a retry refunds nothing more", async () => {
    const { order, subA } = await paidOrder();
    const currency = order.subOrders[0]!.total.currency;
    const body = { lines: [{ variantId: shopA.variantIds[1]!, quantity: 1 }], reason: 'chipped' };
    const res = await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, body, 'refund-line-1');
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json<{ refund: Json; subOrder: Json; replayed: boolean }>();
    assert.deepEqual(out.refund.amount, { amount: 800, currency });
    assert.deepEqual(out.refund.lines, [{ variantId: shopA.variantIds[1]!, quantity: 1, amount: 800 }]);
    assert.deepEqual(out.subOrder, {
      id: subA,
      status: 'paid',
      refunded: { amount: 800, currency },
      refundable: { amount: A_TOTAL - 800, currency },
    });
    assert.equal(out.replayed, false);

    assert.deepEqual(
      providerRefunds(subA).map((r) => r.amount),
      [800],
    );
    const attempts = (await t.app.payments.service.attempts(order.id)).filter((a) => a.kind === 'refund');
    assert.deepEqual(
      attempts.map((a) => [a.amount, a.status]),
      [[800, 'succeeded']],
    );
    const email = await mail(`order-refunded:${out.refund.id as string}`);
    assert.match(email, new RegExp(`^To: ${buyerEmail}$`, 'm'));
    assert.ok(email.includes(`We refunded ${formatMoney(800, currency)}`), email);
    assert.ok(email.includes(`Refunded: ${formatMoney(800, currency)}`), email);
    assert.match(email, /1 x Bowl/);

    const again = await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, body, 'refund-line-1');
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json<{ replayed: boolean }>().replayed, true);
    assert.equal(again.json<{ refund: Json }>().refund.id, out.refund.id);
    assert.equal(providerRefunds(subA).length, 1, 'a retried refund refunds once');
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: 100 }, 'refund-line-1'),
      422,
      'ORDERS_IDEMPOTENCY_KEY_REUSED',
    );
    // That line has nothing left to refund.
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, body, 'refund-line-2'),
      409,
      'ORDERS_REFUND_QUANTITY_EXCEEDED',
      'body.lines[0].quantity',
    );

    // The rest, in full (no body, as before partial refunds existed): the sub-order is refunded.
    const rest = await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`);
    assert.equal(rest.statusCode, 200, rest.body);
    assert.equal(rest.json<{ refund: { amount: { amount: number } } }>().refund.amount.amount, A_TOTAL - 800);
    assert.equal(rest.json<{ subOrder: { status: string } }>().subOrder.status, 'refunded');
    assert.deepEqual(
      providerRefunds(subA).map((r) => r.amount),
      [800, A_TOTAL - 800],
    );
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: 1 }, 'after-all'),
      409,
      'ORDERS_ILLEGAL_TRANSITION',
    );
    await t.drainJobs();
    const done = audited.filter((a) => a.action === 'sub_order.refunded' && a.targetId === subA);
    assert.deepEqual(
      done.map((a) => [(a.before as Json).refundedAmount, (a.after as Json).refundedAmount, (a.after as Json).status]),
      [
        [0, 800, 'paid'],
        [800, A_TOTAL, 'refunded'],
      ],
    );
    assert.equal(done[0]!.reason, 'chipped');
    await assertInvariants(t);
  });

  test('over-refunds and malformed refunds are refused and move no money', async () => {
    const { order, subA } = await paidOrder();
    const refund = (body: Json | undefined, key?: string) => post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, body, key);
    const over = await refund({ amount: A_TOTAL + 1 }, 'over-1');
    assertError(over, 409, 'ORDERS_REFUND_EXCEEDS_PAID', 'body.amount');
    assert.deepEqual(over.json<{ error: { details: Json } }>().error.details, {
      requested: A_TOTAL + 1,
      refundable: A_TOTAL,
      currency: order.subOrders[0]!.total.currency,
    });
    assertError(
      await refund({ lines: [{ variantId: shopA.variantIds[0]!, quantity: 3 }] }, 'over-2'),
      409,
      'ORDERS_REFUND_QUANTITY_EXCEEDED',
    );
    assertError(
      await refund({ lines: [{ variantId: shopB.variantIds[0]!, quantity: 1 }] }, 'over-3'),
      400,
      'ORDERS_REFUND_LINE_UNKNOWN',
      'body.lines[0].variantId',
    );
    assertError(
      await refund({ amount: 100, lines: [{ variantId: shopA.variantIds[0]!, quantity: 1 }] }, 'over-4'),
      400,
      'ORDERS_REFUND_AMOUNT_OR_LINES',
    );
    assertError(await refund({ amount: 100 }), 400, 'ORDERS_IDEMPOTENCY_KEY_REQUIRED', 'headers.idempotency-key');
    assertError(await refund({ amount: 0 }, 'over-5'), 400, 'INVALID_FIELD', 'body.amount');
    assert.equal(providerRefunds(subA).length, 0);
    // Part, then more than what is left.
    assert.equal((await refund({ amount: 3000 }, 'part-1')).statusCode, 200);
    assertError(await refund({ amount: 301 }, 'part-2'), 409, 'ORDERS_REFUND_EXCEEDS_PAID');
    assert.equal((await refund({ amount: 300 }, 'part-3')).statusCode, 200);
    assert.deepEqual(
      providerRefunds(subA).map((r) => r.amount),
      [3000, 300],
    );
  });

  test('a return: refunded after shipping and after delivery; the status stays until all is refunded', async () => {
    const { subA } = await paidOrder();
    await post(shopA.seller, `/api/v1/seller/orders/${subA}/advance`, { to: 'shipped', carrier: 'dpd', trackingNumber: '0155' });
    const part = await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: 500 }, 'return-1');
    assert.equal(part.statusCode, 200, part.body);
    assert.equal(part.json<{ subOrder: { status: string } }>().subOrder.status, 'shipped');
    await post(shopA.seller, `/api/v1/seller/orders/${subA}/advance`, { to: 'delivered' });
    const rest = await post(
      shopA.seller,
      `/api/v1/seller/orders/${subA}/refund`,
      { lines: [{ variantId: shopA.variantIds[0]!, quantity: 2 }] },
      'return-2',
    );
    assert.equal(rest.statusCode, 200, rest.body);
    assert.equal(rest.json<{ subOrder: { status: string } }>().subOrder.status, 'delivered', '300 of it is still paid');
    const last = await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`);
    assert.equal(last.json<{ refund: { amount: { amount: number } } }>().refund.amount.amount, A_TOTAL - 500 - 2500);
    assert.equal(last.json<{ subOrder: { status: string } }>().subOrder.status, 'refunded');
  });

  test('concurrent refunds of one sub-order never together pass what was paid; concurrent retries of one key refund once', async () => {
    const { order, subA, subB } = await paidOrder();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: 1000 }, `race-${i}`)),
    );
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [200, 200, 200, 409, 409, 409, 409, 409, 409, 409], results.map((r) => r.body).join('\n'));
    for (const r of results.filter((x) => x.statusCode === 409)) assertError(r, 409, 'ORDERS_REFUND_EXCEEDS_PAID');
    assert.equal(
      providerRefunds(subA).reduce((sum, r) => sum + r.amount, 0),
      3000,
    );
    const detail = (await get(shopA.seller, `/api/v1/seller/orders/${subA}`)).json<{ subOrder: { refunded: { amount: number } } }>();
    assert.equal(detail.subOrder.refunded.amount, 3000);

    const same = await Promise.all(
      Array.from({ length: 6 }, () => post(shopB.seller, `/api/v1/seller/orders/${subB}/refund`, { amount: 700 }, 'same-key')),
    );
    for (const r of same) assert.ok(r.statusCode === 200 || r.statusCode === 503, r.body);
    assert.ok(same.some((r) => r.statusCode === 200));
    assert.deepEqual(
      providerRefunds(subB).map((r) => r.amount),
      [700],
    );
    // The attempt log may list a refund once per retry that reached the provider: by refund, it is exact.
    const refundAttempts = (await t.app.payments.service.attempts(order.id)).filter((a) => a.kind === 'refund' && a.status === 'succeeded');
    const byRefund = new Map(refundAttempts.map((a) => [a.providerChargeId, a.amount]));
    assert.equal(
      [...byRefund.values()].reduce((sum, a) => sum + a, 0),
      3700,
    );
  });

  test('the provider down leaves a refund pending, holding its amount, for a retry with its key or the sweeper', async () => {
    const { subA } = await paidOrder();
    t.provider.configure({ outage: true });
    try {
      assertError(
        await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: 1000 }, 'outage-1'),
        503,
        'ORDERS_PAYMENT_PROVIDER_UNAVAILABLE',
      );
    } finally {
      t.provider.configure({ outage: false });
    }
    // The pending refund holds its amount: another may only take what is left beside it.
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: A_TOTAL - 999 }, 'outage-2'),
      409,
      'ORDERS_REFUND_EXCEEDS_PAID',
    );
    const retried = await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: 1000 }, 'outage-1');
    assert.equal(retried.statusCode, 200, retried.body);
    assert.deepEqual(
      providerRefunds(subA).map((r) => r.amount),
      [1000],
    );

    // One no client retries: the sweeper finishes it once it is stale, audited as the seller who asked.
    t.provider.configure({ outage: true });
    try {
      assertError(
        await post(shopA.seller, `/api/v1/seller/orders/${subA}/refund`, { amount: 500 }, 'outage-3'),
        503,
        'ORDERS_PAYMENT_PROVIDER_UNAVAILABLE',
      );
    } finally {
      t.provider.configure({ outage: false });
    }
    assert.equal((await t.app.orders.service.sweep()).refunds, 0, 'not stale yet: a client may still be retrying');
    assert.equal((await t.app.orders.service.sweep(new Date(Date.now() + 6 * 60_000))).refunds, 1);
    assert.deepEqual(
      providerRefunds(subA).map((r) => r.amount),
      [1000, 500],
    );
    const detail = (await get(shopA.seller, `/api/v1/seller/orders/${subA}`)).json<{
      subOrder: { refunded: { amount: number }; refunds: Array<{ status: string }> };
    }>();
    assert.equal(detail.subOrder.refunded.amount, 1500);
    assert.ok(detail.subOrder.refunds.every((r) => r.status === 'succeeded'));
    await t.drainJobs();
    assert.ok(
      audited.some(
        (a) =>
          a.action === 'sub_order.refunded' &&
          a.targetId === subA &&
          (a.after as Json).amount === 500 &&
          (a.actor as Json).accountId === shopA.seller.id,
      ),
    );
  });
});

describe('who may', () => {
  test("a seller gets 404 for another shop's sub-order on every route; customers and sellers are kept off the other roles' routes", async () => {
    const { order, subB } = await paidOrder();
    for (const url of [`/api/v1/seller/orders/${subB}`, `/api/v1/seller/orders/${subB}/packing-slip`]) {
      assertError(await get(shopA.seller, url), 404, 'ORDERS_SUB_ORDER_NOT_FOUND');
    }
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${subB}/advance`, { to: 'shipped', carrier: 'ups', trackingNumber: 'Z1' }),
      404,
      'ORDERS_SUB_ORDER_NOT_FOUND',
    );
    assertError(await post(shopA.seller, `/api/v1/seller/orders/${subB}/refund`), 404, 'ORDERS_SUB_ORDER_NOT_FOUND');
    assertError(
      await post(shopA.seller, `/api/v1/seller/orders/${subB}/refund`, { amount: 100 }, 'probe'),
      404,
      'ORDERS_SUB_ORDER_NOT_FOUND',
    );
    assert.equal(providerRefunds(subB).length, 0);

    // Valid bodies: a body is checked before the role, so a wrong one would be 400 for anyone.
    for (const [method, url, payload] of [
      ['GET', '/api/v1/seller/orders', undefined],
      ['GET', `/api/v1/seller/orders/${subB}`, undefined],
      ['GET', `/api/v1/seller/orders/${subB}/packing-slip`, undefined],
      ['POST', `/api/v1/seller/orders/${subB}/advance`, { to: 'fulfilled' }],
      ['POST', `/api/v1/seller/orders/${subB}/refund`, undefined],
    ] as const) {
      const res = await t.server.inject({ method, url, headers: buyer.headers, ...(payload ? { payload } : {}) });
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    }
    for (const actor of [buyer, shopA.seller]) {
      assert.equal((await get(actor, '/api/v1/admin/orders')).statusCode, 403);
      assert.equal((await get(actor, `/api/v1/admin/orders/${order.id}`)).statusCode, 403);
      assert.equal((await post(actor, `/api/v1/admin/orders/${order.id}/refund`)).statusCode, 403);
    }
    assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/seller/orders' })).statusCode, 401);
  });
});

describe("the seller's list and packing slip", () => {
  test('filters by status and by date placed', async () => {
    const { subA } = await paidOrder();
    const { subA: other } = await paidOrder();
    await post(shopA.seller, `/api/v1/seller/orders/${subA}/advance`, { to: 'fulfilled' });
    await t.drainJobs(); // the index follows the move by a job
    const list = async (query: string) =>
      (await get(shopA.seller, `/api/v1/seller/orders?limit=100&${query}`)).json<{ items: Array<{ subOrderId: string; status: string }> }>()
        .items;
    const fulfilled = await list('status=fulfilled');
    assert.ok(fulfilled.some((i) => i.subOrderId === subA));
    assert.ok(fulfilled.every((i) => i.status === 'fulfilled'));
    assert.ok(!fulfilled.some((i) => i.subOrderId === other));
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    assert.equal((await list(`placedFrom=${tomorrow}`)).length, 0);
    const recent = await list(`placedFrom=${hourAgo}&placedBefore=${tomorrow}&status=paid`);
    assert.ok(recent.some((i) => i.subOrderId === other) && !recent.some((i) => i.subOrderId === subA));
    assertError(await get(shopA.seller, '/api/v1/seller/orders?placedFrom=yesterday'), 400, 'INVALID_FIELD', 'querystring.placedFrom');
  });

  test('the packing slip: address and what goes in the parcel, refunded units left out, no prices', async () => {
    const { order, subA } = await paidOrder();
    await post(
      shopA.seller,
      `/api/v1/seller/orders/${subA}/refund`,
      { lines: [{ variantId: shopA.variantIds[0]!, quantity: 1 }] },
      'slip-1',
    );
    const res = await get(shopA.seller, `/api/v1/seller/orders/${subA}/packing-slip`);
    assert.equal(res.statusCode, 200, res.body);
    const slip = res.json<{
      packingSlip: { orderReference: string; shipTo: Json; lines: Array<{ variantId: string; quantity: number }> };
    }>().packingSlip;
    assert.equal(slip.orderReference, orderReference(order.id));
    assert.deepEqual(slip.shipTo, ADDRESS);
    assert.deepEqual(
      slip.lines.map((l) => [l.variantId, l.quantity]).sort(),
      [
        [shopA.variantIds[0]!, 1],
        [shopA.variantIds[1]!, 1],
      ].sort(),
    );
    assert.ok(!res.body.includes('unitPrice') && !res.body.includes('1250'));
  });
});

describe('the operator', () => {
  test('finds orders by id, reference, buyer email, shop and status, and sees one whole', async () => {
    const { order, subA } = await paidOrder();
    const search = async (query: string) => {
      const res = await get(admin, `/api/v1/admin/orders?limit=100&${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ items: Array<{ id: string; subOrders: Array<{ shopId: string }> }> }>().items.map((i) => i.id);
    };
    assert.deepEqual(await search(`order=${order.id}`), [order.id]);
    assert.deepEqual(await search(`order=${orderReference(order.id)}`), [order.id]);
    assert.ok((await search(`email=${encodeURIComponent(buyerEmail.toUpperCase())}`)).includes(order.id));
    assert.deepEqual(await search('email=nobody%40example.test'), []);
    assert.ok((await search(`shopId=${shopB.shopId}`)).includes(order.id));
    const other = await listing(t, [{ price: 100, stock: 1 }]);
    assert.deepEqual(await search(`shopId=${other.shopId}`), []);
    assert.ok((await search(`status=paid&email=${encodeURIComponent(buyerEmail)}`)).includes(order.id));
    assert.ok(!(await search('status=refunded')).includes(order.id));
    assertError(await get(admin, '/api/v1/admin/orders?order=nope'), 400, 'ORDERS_BAD_ORDER_QUERY', 'querystring.order');

    const detail = await get(admin, `/api/v1/admin/orders/${order.id}`);
    assert.equal(detail.statusCode, 200, detail.body);
    const view = detail.json<{ order: { customer: Json; subOrders: Array<{ id: string; lines: unknown[] }> } }>().order;
    assert.equal(view.customer.email, buyerEmail);
    assert.equal(view.subOrders.find((s) => s.id === subA)!.lines.length, 2);
    assertError(await get(admin, '/api/v1/admin/orders/01900000-0000-7fff-8000-000000000000'), 404, 'ORDERS_ORDER_NOT_FOUND');
  });

  test('refunds any order, part of one shop or all of it, with the same refund (emails, provider, audit)', async () => {
    const { order, subA, subB } = await paidOrder();
    const url = `/api/v1/admin/orders/${order.id}/refund`;
    assertError(await post(admin, url, { amount: 100 }, 'op-1'), 400, 'ORDERS_SUB_ORDER_REQUIRED', 'body.subOrderId');
    const part = await post(admin, url, { subOrderId: subB, amount: 1000 }, 'op-2');
    assert.equal(part.statusCode, 200, part.body);
    assert.deepEqual(
      providerRefunds(subB).map((r) => r.amount),
      [1000],
    );
    const all = await post(admin, url);
    assert.equal(all.statusCode, 200, all.body);
    const outcomes = all.json<{ refunds: Array<{ subOrder: { id: string; status: string }; refund: { amount: { amount: number } } }> }>()
      .refunds;
    assert.deepEqual(
      outcomes.map((o) => [o.subOrder.id, o.refund.amount.amount, o.subOrder.status]).sort(),
      [
        [subA, A_TOTAL, 'refunded'],
        [subB, 2000, 'refunded'],
      ].sort(),
    );
    assert.equal(await t.app.orders.service.getOrderStatus(order.id), 'refunded');
    assertError(await post(admin, url), 409, 'ORDERS_NOTHING_TO_REFUND');
    const sum = t.provider
      .refunds()
      .filter((r) => r.idempotencyKey.startsWith(`refund:${subA}`) || r.idempotencyKey.startsWith(`refund:${subB}`));
    assert.equal(
      sum.reduce((s, r) => s + r.amount, 0),
      order.subOrders.reduce((s, o) => s + o.total.amount, 0),
    );
    await t.drainJobs();
    const byAdmin = audited.filter(
      (a) => a.action === 'sub_order.refunded' && (a.actor as Json).accountId === admin.id && [subA, subB].includes(a.targetId as string),
    );
    assert.equal(byAdmin.length, 3);
    assert.ok(byAdmin.every((a) => (a.actor as Json).role === 'admin'));
    // The seller sees the operator's refunds on the sub-order.
    const seen = (await get(shopB.seller, `/api/v1/seller/orders/${subB}`)).json<{
      subOrder: { refunds: Array<{ amount: { amount: number } }> };
    }>();
    assert.deepEqual(
      seen.subOrder.refunds.map((r) => r.amount.amount),
      [1000, 2000],
    );
    await assertInvariants(t);
  });
  test('lines of two shops in one operator refund are refunded shop by shop, and a retry of the request refunds nothing more', async () => {
    const { order, subA, subB } = await paidOrder();
    const body = {
      lines: [
        { variantId: shopA.variantIds[1]!, quantity: 1 },
        { variantId: shopB.variantIds[0]!, quantity: 1 },
      ],
    };
    const key = `op-lines-${'x'.repeat(80)}`;
    const first = await post(admin, `/api/v1/admin/orders/${order.id}/refund`, body, key);
    assert.equal(first.statusCode, 200, first.body);
    const again = await post(admin, `/api/v1/admin/orders/${order.id}/refund`, body, key);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(
      again.json<{ refunds: Array<{ replayed: boolean }> }>().refunds.map((r) => r.replayed),
      [true, true],
    );
    assert.deepEqual(
      providerRefunds(subA).map((r) => r.amount),
      [800],
    );
    assert.deepEqual(
      providerRefunds(subB).map((r) => r.amount),
      [3000],
    );
  });
});
