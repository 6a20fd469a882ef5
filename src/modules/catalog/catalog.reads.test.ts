import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { createProduct, sellerWithShop } from './catalog.test-support.ts';

/** The catalog's public reads as values (what the storefront's pages render), and the JSON routes that present them. */
let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => {
  await t.close();
});

test('reads.product returns the published product as a value, the same one the JSON route sends, and null otherwise', async () => {
  const seller = await sellerWithShop(t.server);
  const published = await createProduct(t.server, seller, { title: 'Value vase' });
  const draft = await createProduct(t.server, seller, { title: 'Draft vase', status: 'draft' });
  const reads = t.app.catalog.reads;

  const read = await reads.product(published.id);
  assert.ok(read.value, 'a published product has a value');
  assert.equal(read.value.id, published.id);
  assert.equal(read.value.title, 'Value vase');
  assert.equal(read.value.shopSlug, seller.shopSlug);
  assert.equal('ownerId' in read.value, false, "the owner's account id stays private");
  assert.equal(read.json, JSON.stringify(read.value));

  const res = await t.server.inject({ method: 'GET', url: `/api/v1/products/${published.id}` });
  assert.equal(res.statusCode, 200);
  assert.equal(res.body, read.json, 'the route sends the prepared text');
  assert.equal(res.headers.etag, `"${read.version}"`);

  assert.equal((await reads.product(draft.id)).value, null, 'a draft is not for the public');
  assert.equal((await reads.product('01900000-0000-7000-8000-00000000dead')).value, null, 'unknown');
  assert.equal((await reads.product('not-a-uuid')).value, null, 'malformed: null, not a database error');
  const missing = await t.server.inject({ method: 'GET', url: `/api/v1/products/${draft.id}` });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.body, '{"error":{"code":"CATALOG_PRODUCT_NOT_FOUND","message":"No such product"}}');
});

test('reads.shop, reads.list and reads.categories return the values the JSON routes send', async () => {
  const seller = await sellerWithShop(t.server);
  const product = await createProduct(t.server, seller, { title: 'Listed jug' });
  const reads = t.app.catalog.reads;

  const shop = await reads.shop(seller.shopSlug);
  assert.ok(shop.value);
  assert.equal(shop.value.shop.slug, seller.shopSlug);
  assert.equal('ownerId' in shop.value.shop, false);
  assert.deepEqual(
    shop.value.products.items.map((p) => p.id),
    [product.id],
  );
  const shopRes = await t.server.inject({ method: 'GET', url: `/api/v1/shops/${seller.shopSlug}` });
  assert.equal(shopRes.body, shop.json);
  assert.equal(shopRes.headers.etag, `"${shop.version}"`);
  assert.equal((await reads.shop('no-such-shop-anywhere')).value, null);
  const noShop = await t.server.inject({ method: 'GET', url: '/api/v1/shops/no-such-shop-anywhere' });
  assert.equal(noShop.statusCode, 404);
  assert.equal(noShop.body, '{"error":{"code":"CATALOG_SHOP_NOT_FOUND","message":"No such shop"}}');

  const list = await reads.list({ shop: seller.shopSlug, sort: 'newest', limit: 5 });
  assert.deepEqual(
    list.value.items.map((p) => p.title),
    ['Listed jug'],
  );
  assert.equal(list.value.nextCursor, null);
  const listRes = await t.server.inject({ method: 'GET', url: `/api/v1/products?shop=${seller.shopSlug}&limit=5` });
  assert.equal(listRes.body, list.json);
  assert.equal(listRes.headers.etag, `"${list.version}"`);

  const categories = await reads.categories();
  assert.ok(Array.isArray(categories.value.categories));
  const catRes = await t.server.inject({ method: 'GET', url: '/api/v1/categories' });
  assert.equal(catRes.body, categories.json);
});

test('a bad cursor or price range read directly is the same DomainError the JSON route reports', async () => {
  const reads = t.app.catalog.reads;
  await assert.rejects(reads.list({ sort: 'newest', limit: 5, cursor: 'garbage' }), { code: 'CATALOG_INVALID_CURSOR', kind: 'invalid' });
  await assert.rejects(reads.list({ sort: 'newest', limit: 5, minPrice: 10, maxPrice: 5 }), {
    code: 'CATALOG_INVALID_PRICE_RANGE',
    kind: 'invalid',
  });
});
