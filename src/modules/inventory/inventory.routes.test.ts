import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newId } from '../../shared/ids.ts';
import { signUpAndLogIn } from '../../../test/support/accounts.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => {
  await t.close();
});

let counter = 0;
type Actor = { id: string; headers: { authorization: string } };

async function signUp(role: 'seller' | 'customer'): Promise<Actor> {
  const res = await signUpAndLogIn(t.server, {
    email: `inv-${role}-${process.pid}-${++counter}@example.test`,
    password: 'correct horse battery',
    name: 'Someone',
    role,
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { account: { id: string }; token: string };
  return { id: body.account.id, headers: { authorization: `Bearer ${body.token}` } };
}

/** A seller with a shop and one product of two variants (published unless told otherwise). */
async function sellerWithProduct(status: 'published' | 'draft' = 'published') {
  const seller = await signUp('seller');
  const slug = `inv-shop-${process.pid}-${++counter}`;
  const shop = await t.server.inject({
    method: 'POST',
    url: '/api/v1/shops',
    headers: seller.headers,
    payload: { slug, name: 'Inv shop' },
  });
  assert.equal(shop.statusCode, 201, shop.body);
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/products',
    headers: seller.headers,
    payload: {
      title: 'Stoneware mug',
      description: 'Glazed',
      status,
      variants: [
        { sku: 'blue', options: { colour: 'blue' }, price: 1800 },
        { sku: 'green', options: { colour: 'green' }, price: 1800 },
      ],
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const product = res.json() as { id: string; variants: Array<{ id: string; sku: string }> };
  return { seller, productId: product.id, variants: product.variants.map((v) => v.id) as [string, string] };
}

function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { error: { code: string; field?: string } };
  assert.equal(body.error.code, code, res.body);
  if (field !== undefined) assert.equal(body.error.field, field, res.body);
}

const restock = (variantId: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.server.inject({ method: 'POST', url: `/api/v1/inventory/variants/${variantId}/restock`, headers, payload: payload as object });
const setOnHand = (variantId: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.server.inject({ method: 'PUT', url: `/api/v1/inventory/variants/${variantId}`, headers, payload: payload as object });

async function stockRows(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from inventory_stock`.execute(t.app.stores.catalog.db);
  return rows[0]!.n;
}

describe('seller writes', () => {
  test('the owner restocks and sets on hand; everyone else is refused and nothing is written', async () => {
    const { seller, variants } = await sellerWithProduct();
    const [v] = variants;
    const other = await signUp('seller');
    const customer = await signUp('customer');

    const ok = await restock(v, { quantity: 12 }, seller.headers);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { variantId: v, onHand: 12, reserved: 0, sold: 0, available: 12 });
    const again = await restock(v, { quantity: 3 }, seller.headers);
    assert.equal((again.json() as { onHand: number }).onHand, 15);

    const rowsBefore = await stockRows();
    assertError(await restock(v, { quantity: 5 }, other.headers), 403, 'CATALOG_NOT_OWNER');
    assertError(await setOnHand(v, { onHand: 0 }, other.headers), 403, 'CATALOG_NOT_OWNER');
    assertError(await restock(v, { quantity: 5 }, customer.headers), 403, 'IDENTITY_FORBIDDEN');
    assertError(await setOnHand(v, { onHand: 0 }, customer.headers), 403, 'IDENTITY_FORBIDDEN');
    assertError(await restock(v, { quantity: 5 }), 401, 'IDENTITY_UNAUTHENTICATED');
    assertError(await setOnHand(v, { onHand: 0 }), 401, 'IDENTITY_UNAUTHENTICATED');
    const unknown = newId();
    assertError(await restock(unknown, { quantity: 5 }, seller.headers), 404, 'CATALOG_VARIANT_NOT_FOUND');
    assertError(await setOnHand(unknown, { onHand: 5 }, seller.headers), 404, 'CATALOG_VARIANT_NOT_FOUND');
    assertError(await restock('not-a-uuid', { quantity: 5 }, seller.headers), 400, 'INVALID_FIELD', 'params.variantId');
    assert.equal(await stockRows(), rowsBefore, 'no stock row was created');
    assert.equal((await t.app.inventory.service.levels([v]))[0]!.onHand, 15);

    const set = await setOnHand(v, { onHand: 4 }, seller.headers);
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), { variantId: v, onHand: 4, reserved: 0, sold: 0, available: 4 });
  });

  test('bad input is refused with its code and field, and nothing is written', async () => {
    const { seller, variants } = await sellerWithProduct();
    const [v, w] = variants;
    await restock(v, { quantity: 10 }, seller.headers);
    const rowsBefore = await stockRows();
    const cases: Array<[LightMyRequestResponse, string, string]> = [
      [await restock(v, { quantity: 0 }, seller.headers), 'INVALID_FIELD', 'body.quantity'],
      [await restock(v, { quantity: -3 }, seller.headers), 'INVALID_FIELD', 'body.quantity'],
      [await restock(v, { quantity: 100_001 }, seller.headers), 'INVALID_FIELD', 'body.quantity'],
      [await restock(v, { quantity: 1e12 }, seller.headers), 'INVALID_FIELD', 'body.quantity'],
      [await restock(v, { quantity: 2.5 }, seller.headers), 'INVALID_FIELD', 'body.quantity'],
      [await restock(v, { quantity: '5' }, seller.headers), 'INVALID_FIELD', 'body.quantity'],
      [await restock(w, { quantity: 5, price: 1 }, seller.headers), 'UNKNOWN_FIELD', 'body.price'],
      [await restock(w, {}, seller.headers), 'MISSING_FIELD', 'body.quantity'],
      [await setOnHand(v, { onHand: -1 }, seller.headers), 'INVALID_FIELD', 'body.onHand'],
      [await setOnHand(v, { onHand: 10_000_001 }, seller.headers), 'INVALID_FIELD', 'body.onHand'],
      [await setOnHand(w, { onHand: 5, sold: 0 }, seller.headers), 'UNKNOWN_FIELD', 'body.sold'],
    ];
    for (const [res, code, field] of cases) assertError(res, 400, code, field);
    assert.equal(await stockRows(), rowsBefore);
    assert.deepEqual(await t.app.inventory.service.levels([v, w]), [
      { variantId: v, onHand: 10, reserved: 0, sold: 0, available: 10 },
      { variantId: w, onHand: 0, reserved: 0, sold: 0, available: 0 },
    ]);
  });

  test('on hand cannot go below what is sold or reserved (409 with the committed count)', async () => {
    const { seller, variants } = await sellerWithProduct();
    const [v] = variants;
    await restock(v, { quantity: 10 }, seller.headers);
    await t.app.inventory.service.reserve(newId(), [{ variantId: v, quantity: 6 }], new Date(Date.now() + 60_000));
    const res = await setOnHand(v, { onHand: 5 }, seller.headers);
    assertError(res, 409, 'INVENTORY_BELOW_COMMITTED', 'body.onHand');
    assert.deepEqual((res.json() as { error: { details: unknown } }).error.details, { committed: 6 });
    assert.equal((await t.app.inventory.service.levels([v]))[0]!.onHand, 10);
  });
});

describe('reading stock', () => {
  test('the owner sees exact numbers per variant; others do not', async () => {
    const { seller, productId, variants } = await sellerWithProduct();
    const [v, w] = variants;
    await restock(v, { quantity: 9 }, seller.headers);
    await t.app.inventory.service.reserve(newId(), [{ variantId: v, quantity: 2 }], new Date(Date.now() + 60_000));
    const url = `/api/v1/seller/inventory?productId=${productId}`;
    const res = await t.server.inject({ method: 'GET', url, headers: seller.headers });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      productId,
      variants: [
        { variantId: v, sku: 'blue', options: { colour: 'blue' }, onHand: 9, reserved: 2, sold: 0, available: 7, status: 'in_stock' },
        { variantId: w, sku: 'green', options: { colour: 'green' }, onHand: 0, reserved: 0, sold: 0, available: 0, status: 'sold_out' },
      ],
    });
    const other = await signUp('seller');
    const customer = await signUp('customer');
    assertError(await t.server.inject({ method: 'GET', url, headers: other.headers }), 403, 'CATALOG_NOT_OWNER');
    assertError(await t.server.inject({ method: 'GET', url, headers: customer.headers }), 403, 'IDENTITY_FORBIDDEN');
    assertError(await t.server.inject({ method: 'GET', url }), 401, 'IDENTITY_UNAUTHENTICATED');
    assertError(
      await t.server.inject({ method: 'GET', url: `/api/v1/seller/inventory?productId=${newId()}`, headers: seller.headers }),
      404,
      'CATALOG_PRODUCT_NOT_FOUND',
    );
    assertError(
      await t.server.inject({ method: 'GET', url: '/api/v1/seller/inventory', headers: seller.headers }),
      400,
      'MISSING_FIELD',
      'querystring.productId',
    );
  });

  test('public stock is coarse, never exact, follows changes on this node, and is cached only briefly', async () => {
    const { seller, productId, variants } = await sellerWithProduct();
    const [v, w] = variants;
    await restock(v, { quantity: 40 }, seller.headers);
    const url = `/api/v1/products/${productId}/stock`;
    const read = async () => {
      const res = await t.server.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, res.body);
      // Only ids and coarse words: no number anywhere in the public body.
      const body = res.json() as { variants: Array<Record<string, unknown>> };
      assert.deepEqual(Object.keys(body).sort(), ['productId', 'variants']);
      for (const item of body.variants) assert.deepEqual(Object.keys(item).sort(), ['status', 'variantId']);
      assert.doesNotMatch(res.body, /:\s*-?\d/, 'no numeric value');
      return res;
    };
    const first = await read();
    assert.deepEqual(first.json(), {
      productId,
      variants: [
        { variantId: v, status: 'in_stock' },
        { variantId: w, status: 'sold_out' },
      ],
    });
    const cacheControl = String(first.headers['cache-control']);
    const sMaxAge = Number(/s-maxage=(\d+)/.exec(cacheControl)?.[1]);
    assert.ok(sMaxAge >= 1 && sMaxAge <= 2, cacheControl);
    assert.ok(first.headers.etag);
    const notModified = await t.server.inject({ method: 'GET', url, headers: { 'if-none-match': String(first.headers.etag) } });
    assert.equal(notModified.statusCode, 304);

    // A change of coarse status retires this node's cached page at once.
    await setOnHand(v, { onHand: 3 }, seller.headers);
    await restock(w, { quantity: 100 }, seller.headers);
    assert.deepEqual((await read()).json(), {
      productId,
      variants: [
        { variantId: v, status: 'few_left' },
        { variantId: w, status: 'in_stock' },
      ],
    });
    const sellOut = newId();
    assert.deepEqual(await t.app.inventory.service.reserve(sellOut, [{ variantId: v, quantity: 3 }], new Date(Date.now() + 60_000)), {
      ok: true,
    });
    assert.equal((await read()).json<{ variants: Array<{ status: string }> }>().variants[0]!.status, 'sold_out');
    await t.app.inventory.service.release(sellOut);
    assert.equal((await read()).json<{ variants: Array<{ status: string }> }>().variants[0]!.status, 'few_left');

    const draft = await sellerWithProduct('draft');
    assertError(
      await t.server.inject({ method: 'GET', url: `/api/v1/products/${draft.productId}/stock` }),
      404,
      'INVENTORY_PRODUCT_NOT_FOUND',
    );
    assertError(await t.server.inject({ method: 'GET', url: `/api/v1/products/${newId()}/stock` }), 404, 'INVENTORY_PRODUCT_NOT_FOUND');
    assertError(await t.server.inject({ method: 'GET', url: '/api/v1/products/nope/stock' }), 404, 'INVENTORY_PRODUCT_NOT_FOUND');
  });

  test('reads.productStock returns the coarse stock as a value, the one the route sends, and null for what is not public', async () => {
    const { seller, productId, variants } = await sellerWithProduct();
    const [v, w] = variants;
    await restock(v, { quantity: 2 }, seller.headers);
    const read = await t.app.inventory.reads.productStock(productId);
    assert.deepEqual(read.value, {
      productId,
      variants: [
        { variantId: v, status: 'few_left' },
        { variantId: w, status: 'sold_out' },
      ],
    });
    const res = await t.server.inject({ method: 'GET', url: `/api/v1/products/${productId}/stock` });
    assert.equal(res.body, read.json);
    assert.equal(res.headers.etag, `"${read.version}"`);

    const draft = await sellerWithProduct('draft');
    assert.equal((await t.app.inventory.reads.productStock(draft.productId)).value, null);
    assert.equal((await t.app.inventory.reads.productStock('nope')).value, null);
  });

  test('the routes are in the OpenAPI document under the inventory tag', async () => {
    const doc = (await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[]; responses?: Record<string, unknown> }>>;
    };
    for (const [path, method] of [
      ['/api/v1/products/{id}/stock', 'get'],
      ['/api/v1/inventory/variants/{variantId}/restock', 'post'],
      ['/api/v1/inventory/variants/{variantId}', 'put'],
      ['/api/v1/seller/inventory', 'get'],
    ] as const) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} is documented`);
      assert.deepEqual(op.tags, ['inventory']);
      assert.ok(op.responses?.['200']);
    }
  });
});
