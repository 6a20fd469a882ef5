/**
 * Issue 19: a client generated from the document compiles and runs the README's tour. The types
 * are openapi-typescript's output for the document the server publishes (src/web/api/schema.gen.ts,
 * checked to be current), the client is openapi-fetch over real HTTP; `tsc --noEmit` compiles this
 * file in CI, so a route whose document changes in a way the tour depends on breaks the build.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import createClient from 'openapi-fetch';
import type { paths } from '../src/web/api/schema.gen.ts';
import { API_TYPES_FILE, generateApiTypes } from './support/api-types.ts';
import { listen } from './support/browser.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let base: string;
before(async () => {
  t = await createTestApp();
  base = await listen(t.server);
});
after(() => t?.close());

test('the committed API types are what the document gives today (npm run api:types)', async () => {
  const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as unknown;
  const committed = await readFile(API_TYPES_FILE, 'utf8');
  assert.ok(committed === (await generateApiTypes(doc)), 'src/web/api/schema.gen.ts is out of date: run `npm run api:types` and commit it');
});

test("a generated client runs the README's tour: browse, search, open a shop, list a product, stock it, buy it", async () => {
  const api = createClient<paths>({ baseUrl: base });
  const unique = Date.now().toString(36);

  // Browse and search, as anyone.
  const products = await api.GET('/api/v1/products', { params: { query: { limit: 5 } } });
  assert.equal(products.response.status, 200);
  const cheap = await api.GET('/api/v1/products', { params: { query: { sort: 'price_asc', maxPrice: 5000 } } });
  assert.equal(cheap.response.status, 200);
  await api.GET('/api/v1/search', { params: { query: { q: 'stonew' } } });

  // Become a seller: sign up, log in, open a shop, list a product.
  const sellerEmail = `ada-${unique}@example.test`;
  const signUp = await api.POST('/api/v1/auth/signup', {
    body: { email: sellerEmail, password: 'correct horse battery', name: 'Ada', role: 'seller' },
  });
  assert.equal(signUp.response.status, 202);
  const login = await api.POST('/api/v1/auth/login', { body: { email: sellerEmail, password: 'correct horse battery' } });
  assert.ok(login.data, JSON.stringify(login.error));
  const asSeller = { Authorization: `Bearer ${login.data.token}` };
  const shop = await api.POST('/api/v1/shops', {
    headers: asSeller,
    body: { slug: `ada-ceramics-${unique}`, name: 'Ada Ceramics', description: 'Stoneware, thrown by hand' },
  });
  assert.equal(shop.response.status, 201, JSON.stringify(shop.error));
  const created = await api.POST('/api/v1/products', {
    headers: asSeller,
    body: {
      title: 'Speckled mug',
      description: '350 ml, dishwasher safe',
      status: 'published',
      variants: [{ options: { glaze: 'oat' }, price: 4200 }],
    },
  });
  assert.ok(created.data, JSON.stringify(created.error));
  const product = await api.GET('/api/v1/products/{id}', { params: { path: { id: created.data.id } } });
  assert.ok(product.data);
  const variantId = product.data.variants[0]!.id;
  const restock = await api.POST('/api/v1/inventory/variants/{variantId}/restock', {
    headers: asSeller,
    params: { path: { variantId } },
    body: { quantity: 5 },
  });
  assert.equal(restock.response.status, 200, JSON.stringify(restock.error));

  // A customer: cart, checkout, and the order paid.
  const buyerEmail = `bea-${unique}@example.test`;
  await api.POST('/api/v1/auth/signup', { body: { email: buyerEmail, password: 'kiln smoke otter ladder', name: 'Bea' } });
  const buyerLogin = await api.POST('/api/v1/auth/login', { body: { email: buyerEmail, password: 'kiln smoke otter ladder' } });
  assert.ok(buyerLogin.data);
  const asBuyer = { Authorization: `Bearer ${buyerLogin.data.token}` };
  const line = await api.PUT('/api/v1/cart/lines/{variantId}', {
    headers: asBuyer,
    params: { path: { variantId } },
    body: { quantity: 2 },
  });
  assert.equal(line.data?.lines[0]?.quantity, 2);
  const checkout = await api.POST('/api/v1/checkout', {
    params: { header: { 'idempotency-key': `bea-order-${unique}` } },
    headers: asBuyer,
    body: { shippingAddress: { name: 'Bea', line1: '1 Loom Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' } },
  });
  assert.equal(checkout.response.status, 202, JSON.stringify(checkout.error));
  assert.ok(checkout.data);
  await t.drainJobs();
  const orders = await api.GET('/api/v1/orders', { headers: asBuyer });
  assert.equal(orders.data?.items[0]?.status, 'paid');
  const sellerOrders = await api.GET('/api/v1/seller/orders', { headers: asSeller });
  assert.equal(sellerOrders.data?.items.length, 1);

  // An error arrives typed, with its code and field.
  const refused = await api.POST('/api/v1/shops', { headers: asBuyer, body: { slug: `bea-${unique}`, name: 'Bea' } });
  assert.equal(refused.response.status, 403);
  assert.equal(typeof refused.error?.error.code, 'string');
});
