import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/support/test-app.ts';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, hashSeed, makeProducts, planShops, seedDemo } from './seed.ts';

const N = 300;

describe('demo catalog plan (no database)', () => {
  const shape = (n: number) => {
    const seed = hashSeed('atelier-demo', n);
    return planShops(n, 1, seed).map((plan) => ({
      plan,
      products: makeProducts(plan, seed, new Map(), []).map((p) => ({ ...p, images: [] })),
    }));
  };

  test('the same product count gives the same shops, titles, variants and prices', () => {
    assert.deepEqual(shape(1000), shape(1000));
  });

  test('one shop per 50 products (at least 3), product counts summing exactly, unique slugs', () => {
    for (const n of [1, 7, 149, 1000, 10_000]) {
      const plans = planShops(n, 1, hashSeed('atelier-demo', n));
      assert.equal(plans.length, Math.max(3, Math.round(n / 50)), String(n));
      assert.equal(
        plans.reduce((s, p) => s + p.products, 0),
        n,
      );
      assert.equal(new Set(plans.map((p) => p.slug)).size, plans.length);
      for (const p of plans) assert.match(p.slug, /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
    }
    const g2 = planShops(100, 2, 1);
    assert.ok(g2.every((p) => p.slug.endsWith('-g2') && p.owner.email.includes('.g2@')));
  });

  test('products read like handmade goods, priced in whole minor units', () => {
    const all = shape(1000).flatMap((s) => s.products);
    assert.equal(all.length, 1000);
    for (const p of all) {
      assert.ok(p.title.length >= 10 && p.title.length <= 200, p.title);
      assert.ok(p.variants.length >= 1 && p.variants.length <= 4);
      for (const v of p.variants) assert.ok(Number.isSafeInteger(v.price) && v.price > 0);
    }
    assert.ok(all.some((p) => /stoneware/.test(p.title)));
    const published = all.filter((p) => p.status === 'published').length;
    assert.ok(published > 900 && published < 1000, String(published));
  });
});

describe('seedDemo', () => {
  let t: TestApp;
  let result: { created: boolean; products: number };
  before(async () => {
    t = await createTestApp();
    result = await seedDemo(t.app, { products: N, onlyIfEmpty: true, progress: false });
  });
  after(async () => {
    await t?.close();
  });

  const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(t.app.stores.catalog.db)).rows[0]!.n;

  test('makes the asked number of products in min(3)..N/50 shops, every id listed by the catalog', async () => {
    assert.deepEqual(result, { created: true, products: N });
    const ids: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await t.app.catalog.service.listProductIds(after, 100);
      ids.push(...page);
      if (page.length < 100) break;
      after = page.at(-1)!;
    }
    assert.equal(ids.length, N);
    const products = await t.app.catalog.service.getProducts(ids);
    const shops = new Set(products.map((p) => p.shopId));
    assert.ok(shops.size >= 3, 'products spread over shops');
    assert.ok(products.filter((p) => p.status === 'published').length > N * 0.8, 'mostly published');
    for (const p of products) {
      assert.ok(p.title.length > 10, p.title);
      assert.ok(p.description.length > 40);
      assert.ok(p.variants.length >= 1 && p.variants.length <= 4);
      assert.equal(p.priceMin.currency, t.app.config.currency);
      assert.ok(Number.isInteger(p.priceMin.amount) && p.priceMin.amount > 0);
      assert.ok(p.images.length >= 1 && p.images.length <= 3);
      assert.match(p.images[0]!.urls.card, /^\/media\/[0-9a-f]{64}\.webp$/);
      assert.ok(p.categoryId, 'every product has a category');
    }
    const shopCount = await count(sql<{ n: number }>`select count(*)::int as n from catalog_shops`);
    assert.equal(shopCount, Math.max(3, Math.round(N / 50)));
  });

  test('variants are stocked: mostly in stock, some with a few left, some sold out', async () => {
    const ids = await t.app.catalog.service.listProductIds(null, 300);
    const variantIds = (await t.app.catalog.service.getProducts(ids)).flatMap((p) => p.variants.map((v) => v.id));
    const statuses = [...(await t.app.inventory.service.statuses(variantIds)).values()];
    const share = (s: string) => statuses.filter((x) => x === s).length / variantIds.length;
    assert.equal(statuses.length, variantIds.length);
    assert.ok(share('in_stock') > 0.6, `in stock ${share('in_stock')}`);
    assert.ok(share('few_left') > 0.02, `few left ${share('few_left')}`);
    assert.ok(share('sold_out') > 0.02, `sold out ${share('sold_out')}`);
  });

  test('a category tree: crafts with sub-categories', async () => {
    const categories = await t.app.catalog.service.listCategories();
    const ceramics = categories.find((c) => c.slug === 'ceramics');
    assert.ok(ceramics);
    assert.equal(ceramics.parentId, null);
    const mugs = categories.find((c) => c.slug === 'mugs');
    assert.equal(mugs?.parentId, ceramics.id);
    assert.ok(categories.length >= 20);
  });

  test('published products are listed through the API, with images that are actually served', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/api/v1/products?limit=24' });
    assert.equal(res.statusCode, 200, res.body);
    const { items } = res.json() as { items: Array<{ id: string; image: { urls: { thumb: string } } | null }> };
    assert.equal(items.length, 24);
    assert.ok(
      items.every((p) => p.image !== null),
      'every listed product has an image',
    );
    const detail = await t.server.inject({ method: 'GET', url: `/api/v1/products/${items[0]!.id}` });
    assert.equal(detail.statusCode, 200);
    type Detail = { images: Array<{ urls: { thumb: string } }> };
    const json = detail.json() as Detail & { product?: Detail };
    const thumb = (json.product ?? json).images[0]?.urls.thumb;
    assert.ok(thumb);
    const img = await t.server.inject({ method: 'GET', url: thumb });
    assert.equal(img.statusCode, 200);
    assert.equal(img.headers['content-type'], 'image/webp');
  });

  test('search finds a seeded word', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/api/v1/search?q=stoneware' });
    assert.equal(res.statusCode, 200, res.body);
    const hits = (res.json() as { items: Array<{ title: string }> }).items;
    assert.ok(hits.length > 0, res.body);
    assert.ok(hits.some((h) => /stoneware/i.test(h.title)));
  });

  test('the admin and sellers can log in with the demo password', async () => {
    for (const email of [DEMO_ADMIN_EMAIL, 'seller1@atelier.test']) {
      const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: DEMO_PASSWORD } });
      assert.equal(res.statusCode, 200, `${email}: ${res.body}`);
    }
  });

  test('onlyIfEmpty does nothing the second time', async () => {
    const again = await seedDemo(t.app, { products: N, onlyIfEmpty: true, progress: false });
    assert.deepEqual(again, { created: false, products: 0 });
    assert.equal(await count(sql<{ n: number }>`select count(*)::int as n from catalog_products`), N);
  });

  test('seeding again without onlyIfEmpty adds a new generation of shops instead of colliding', async () => {
    const more = await seedDemo(t.app, { products: 20, onlyIfEmpty: false, progress: false });
    assert.deepEqual(more, { created: true, products: 20 });
    assert.equal(await count(sql<{ n: number }>`select count(*)::int as n from catalog_products`), N + 20);
  });
});
