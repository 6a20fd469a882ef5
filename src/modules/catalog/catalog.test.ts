import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { MAX_AMOUNT } from '../../shared/money.ts';
import { sealCursor } from './catalog.cursor.ts';
import { listPublishedQuery, type ListFilter } from './catalog.repository.ts';
import {
  assertError,
  catalogCounts,
  createProduct,
  sellerWithShop,
  signUp,
  signUpAdmin,
  type Actor,
  type ProductJson,
} from './catalog.test-support.ts';

type Page = { items: Array<{ id: string; title: string; priceMin: { amount: number }; shopSlug: string }>; nextCursor: string | null };

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => {
  await t.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.server.inject({ method: 'GET', url, headers });

async function walk(url: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await get(cursor ? `${url}${sep}cursor=${cursor}` : url);
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as Page;
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
    pages++;
    assert.ok(pages < 100, 'pagination must end');
  } while (cursor);
  return { ids, pages };
}

describe('shops', () => {
  test('a seller opens one shop; a second shop, a taken slug, a customer and an anonymous caller are refused', async () => {
    const seller = await signUp(t.server, 'seller');
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: seller.headers,
      payload: { slug: 'indigo-loom', name: 'Indigo Loom', description: 'Weaving' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const shop = res.json() as { id: string; slug: string; ownerId: string; currency: string };
    assert.equal(shop.slug, 'indigo-loom');
    assert.equal(shop.ownerId, seller.id);
    assert.equal(shop.currency, 'USD');

    const before = await catalogCounts(t);
    const again = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: seller.headers,
      payload: { slug: 'other-loom', name: 'Other' },
    });
    assertError(again, 409, 'CATALOG_SHOP_EXISTS');
    const other = await signUp(t.server, 'seller');
    const taken = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: other.headers,
      payload: { slug: 'indigo-loom', name: 'Copy' },
    });
    assertError(taken, 409, 'CATALOG_SHOP_SLUG_TAKEN', 'body.slug');
    const customer = await signUp(t.server, 'customer');
    const byCustomer = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: customer.headers,
      payload: { slug: 'c-shop', name: 'C' },
    });
    assert.equal(byCustomer.statusCode, 403, byCustomer.body);
    const anonymous = await t.server.inject({ method: 'POST', url: '/api/v1/shops', payload: { slug: 'a-shop', name: 'A' } });
    assert.equal(anonymous.statusCode, 401, anonymous.body);
    const badSlug = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: other.headers,
      payload: { slug: 'Bad Slug!', name: 'B' },
    });
    assertError(badSlug, 400, 'INVALID_FIELD', 'body.slug');
    assert.deepEqual(await catalogCounts(t), before);
  });

  test('the shop page shows published products; only the owner may edit the shop, and the edit shows at once', async () => {
    const owner = await sellerWithShop(t.server);
    const published = await createProduct(t.server, owner, { title: 'Shop page bowl' });
    const draft = await createProduct(t.server, owner, { title: 'Secret draft', status: 'draft' });

    const page1 = await get(`/api/v1/shops/${owner.shopSlug}`);
    assert.equal(page1.statusCode, 200, page1.body);
    const body1 = page1.json() as { shop: { name: string; ownerId?: string }; products: Page };
    assert.deepEqual(
      body1.products.items.map((i) => i.id),
      [published.id],
    );
    assert.equal(body1.shop.ownerId, undefined, 'the owner id stays private');
    assert.ok(!body1.products.items.some((i) => i.id === draft.id));
    const etag = page1.headers.etag as string;

    const intruder = await sellerWithShop(t.server);
    const refused = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/shops/${owner.shopSlug}`,
      headers: intruder.headers,
      payload: { name: 'Hijacked' },
    });
    // Another seller's shop is not found, as another seller's product is (issue 15).
    assertError(refused, 404, 'CATALOG_SHOP_NOT_FOUND');
    const unchanged = await sql<{ name: string }>`select name from catalog_shops where slug = ${owner.shopSlug}`.execute(
      t.app.stores.catalog.db,
    );
    assert.equal(unchanged.rows[0]!.name, `Shop ${owner.shopSlug}`);

    const missing = await t.server.inject({
      method: 'PATCH',
      url: '/api/v1/shops/no-such-shop',
      headers: owner.headers,
      payload: { name: 'X' },
    });
    assertError(missing, 404, 'CATALOG_SHOP_NOT_FOUND');

    const renamed = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/shops/${owner.shopSlug}`,
      headers: owner.headers,
      payload: { name: 'Renamed Shop' },
    });
    assert.equal(renamed.statusCode, 200, renamed.body);
    const page2 = await get(`/api/v1/shops/${owner.shopSlug}`);
    assert.equal((page2.json() as { shop: { name: string } }).shop.name, 'Renamed Shop');
    assert.notEqual(page2.headers.etag, etag);
    // Product pages show the shop name too, so they were invalidated as well.
    const detail = await get(`/api/v1/products/${published.id}`);
    assert.equal((detail.json() as { shopName: string }).shopName, 'Renamed Shop');
  });

  test('an unknown shop is 404, and becomes visible once created', async () => {
    const res = await get('/api/v1/shops/later-shop');
    assertError(res, 404, 'CATALOG_SHOP_NOT_FOUND');
    const seller = await signUp(t.server, 'seller');
    const made = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: seller.headers,
      payload: { slug: 'later-shop', name: 'Later' },
    });
    assert.equal(made.statusCode, 201);
    assert.equal((await get('/api/v1/shops/later-shop')).statusCode, 200);
  });
});

describe('products', () => {
  let seller: Actor & { shopSlug: string };
  before(async () => {
    seller = await sellerWithShop(t.server);
  });

  test('a seller lists a product with variants; price_min is the lowest variant price', async () => {
    const product = await createProduct(t.server, seller, {
      variants: [
        { sku: 'S', options: { size: 'S' }, price: 3000 },
        { sku: 'L', options: { size: 'L' }, price: 1999 },
      ],
    });
    assert.equal(product.priceMin.amount, 1999);
    assert.equal(product.priceMin.currency, 'USD');
    assert.deepEqual(
      product.variants.map((v) => [v.sku, v.position]),
      [
        ['S', 0],
        ['L', 1],
      ],
    );
    const row = await sql<{ price_min: number }>`select price_min from catalog_products where id = ${product.id}`.execute(
      t.app.stores.catalog.db,
    );
    assert.equal(row.rows[0]!.price_min, 1999);
  });

  test('a seller without a shop cannot list products', async () => {
    const shopless = await signUp(t.server, 'seller');
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: shopless.headers,
      payload: { title: 'X', description: '', variants: [{ options: {}, price: 100 }] },
    });
    assertError(res, 409, 'CATALOG_SHOP_REQUIRED');
  });

  test('bad input is refused with its code and field, and nothing is written', async () => {
    const valid = { title: 'Mug', description: 'Stoneware', variants: [{ options: { colour: 'blue' }, price: 1500 }] };
    const variant = (v: Record<string, unknown>) => ({ ...valid, variants: [{ options: {}, price: 100, ...v }] });
    const cases: Array<[unknown, string, string]> = [
      [{ ...valid, colour: 'red' }, 'UNKNOWN_FIELD', 'body.colour'],
      [variant({ price: 0 }), 'INVALID_FIELD', 'body.variants[0].price'],
      [variant({ price: -5 }), 'INVALID_FIELD', 'body.variants[0].price'],
      [variant({ price: MAX_AMOUNT + 1 }), 'INVALID_FIELD', 'body.variants[0].price'],
      [variant({ price: 12.5 }), 'INVALID_FIELD', 'body.variants[0].price'],
      [variant({ price: '100' }), 'INVALID_FIELD', 'body.variants[0].price'],
      [variant({ weight: 3 }), 'UNKNOWN_FIELD', 'body.variants[0].weight'],
      [variant({ options: { size: 5 } }), 'INVALID_FIELD', 'body.variants[0].options.size'],
      [{ ...valid, variants: [] }, 'INVALID_FIELD', 'body.variants'],
      [
        { ...valid, variants: Array.from({ length: 51 }, (_, i) => ({ sku: `v${i}`, options: {}, price: 100 })) },
        'INVALID_FIELD',
        'body.variants',
      ],
      [{ ...valid, title: 42 }, 'INVALID_FIELD', 'body.title'],
      [{ ...valid, title: '' }, 'INVALID_FIELD', 'body.title'],
      [{ ...valid, title: 'x'.repeat(201) }, 'INVALID_FIELD', 'body.title'],
      [{ ...valid, status: 'sold' }, 'INVALID_FIELD', 'body.status'],
      [{ ...valid, categoryId: 'not-a-uuid' }, 'INVALID_FIELD', 'body.categoryId'],
      [{ title: 'Mug', description: 'x' }, 'MISSING_FIELD', 'body.variants'],
      [{ ...valid, categoryId: '01900000-0000-7000-8000-000000000000' }, 'CATALOG_CATEGORY_NOT_FOUND', 'body.categoryId'],
      [
        {
          ...valid,
          variants: [
            { sku: 'A', options: {}, price: 100 },
            { sku: 'A', options: {}, price: 200 },
          ],
        },
        'CATALOG_DUPLICATE_SKU',
        'body.variants[1].sku',
      ],
    ];
    const before = await catalogCounts(t);
    for (const [payload, code, field] of cases) {
      const res = await t.server.inject({ method: 'POST', url: '/api/v1/products', headers: seller.headers, payload: payload as object });
      assertError(res, 400, code, field);
    }
    assert.deepEqual(await catalogCounts(t), before);
  });

  test('a draft is invisible to the public until published; its owner sees it in /seller/products', async () => {
    const draft = await createProduct(t.server, seller, { title: 'Draft vase', status: 'draft' });
    assertError(await get(`/api/v1/products/${draft.id}`), 404, 'CATALOG_PRODUCT_NOT_FOUND');
    assertError(await get(`/api/v1/products/${draft.id}`, seller.headers), 404, 'CATALOG_PRODUCT_NOT_FOUND');
    const mine = await get('/api/v1/seller/products?limit=100', seller.headers);
    assert.equal(mine.statusCode, 200, mine.body);
    assert.ok((mine.json() as { items: ProductJson[] }).items.some((p) => p.id === draft.id && p.status === 'draft'));
    assert.match(String(mine.headers['cache-control']), /no-store/);

    const published = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${draft.id}`,
      headers: seller.headers,
      payload: { status: 'published' },
    });
    assert.equal(published.statusCode, 200, published.body);
    // The cached not-found was invalidated by the write.
    const visible = await get(`/api/v1/products/${draft.id}`);
    assert.equal(visible.statusCode, 200, visible.body);
    assert.equal((visible.json() as { ownerId?: string }).ownerId, undefined, 'the owner id stays private');
  });

  test('detail is cached with ETag and Cache-Control; an edit shows on the next read with a new ETag; If-None-Match gives 304', async () => {
    const product = await createProduct(t.server, seller, { title: 'Cached teapot' });
    const first = await get(`/api/v1/products/${product.id}`);
    assert.equal(first.statusCode, 200);
    const etag = first.headers.etag as string;
    assert.ok(etag);
    assert.match(String(first.headers['cache-control']), /public, .*s-maxage=\d+, stale-while-revalidate=\d+/);
    assert.match(String(first.headers['content-type']), /application\/json/);
    const second = await get(`/api/v1/products/${product.id}`);
    assert.equal(second.headers.etag, etag);
    assert.equal(second.body, first.body);

    const notModified = await get(`/api/v1/products/${product.id}`, { 'if-none-match': etag });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');

    const edit = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.id}`,
      headers: seller.headers,
      payload: { title: 'Renamed teapot' },
    });
    assert.equal(edit.statusCode, 200, edit.body);
    const third = await get(`/api/v1/products/${product.id}`, { 'if-none-match': etag });
    assert.equal(third.statusCode, 200, 'the old ETag no longer matches');
    assert.equal((third.json() as ProductJson).title, 'Renamed teapot');
    assert.notEqual(third.headers.etag, etag);

    // Lists were invalidated too.
    const list = (await get(`/api/v1/products?shop=${seller.shopSlug}&limit=100`)).json() as Page;
    assert.equal(list.items.find((i) => i.id === product.id)?.title, 'Renamed teapot');
  });

  test('variants: add and edit re-compute price_min in lists and detail; duplicate SKU and over 50 variants are refused', async () => {
    const product = await createProduct(t.server, seller, { title: 'Variant lamp', variants: [{ sku: 'base', options: {}, price: 5000 }] });
    await get(`/api/v1/products/${product.id}`); // warm the cache
    const added = await t.server.inject({
      method: 'POST',
      url: `/api/v1/products/${product.id}/variants`,
      headers: seller.headers,
      payload: { sku: 'small', options: { size: 'S' }, price: 4000 },
    });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal((added.json() as ProductJson).priceMin.amount, 4000);
    assert.equal(((await get(`/api/v1/products/${product.id}`)).json() as ProductJson).priceMin.amount, 4000);

    const small = (added.json() as ProductJson).variants.find((v) => v.sku === 'small')!;
    const edited = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.id}/variants/${small.id}`,
      headers: seller.headers,
      payload: { price: 6000 },
    });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal((edited.json() as ProductJson).priceMin.amount, 5000);
    const list = (await get(`/api/v1/products?shop=${seller.shopSlug}&limit=100`)).json() as Page;
    assert.equal(list.items.find((i) => i.id === product.id)?.priceMin.amount, 5000);

    const dup = await t.server.inject({
      method: 'POST',
      url: `/api/v1/products/${product.id}/variants`,
      headers: seller.headers,
      payload: { sku: 'base', options: {}, price: 100 },
    });
    assertError(dup, 409, 'CATALOG_SKU_TAKEN', 'body.sku');
    const dupEdit = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.id}/variants/${small.id}`,
      headers: seller.headers,
      payload: { sku: 'base' },
    });
    assertError(dupEdit, 409, 'CATALOG_SKU_TAKEN', 'body.sku');
    const zero = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.id}/variants/${small.id}`,
      headers: seller.headers,
      payload: { price: 0 },
    });
    assertError(zero, 400, 'INVALID_FIELD', 'body.price');

    const full = await createProduct(t.server, seller, {
      variants: Array.from({ length: 50 }, (_, i) => ({ sku: `v${i}`, options: {}, price: 100 + i })),
    });
    const before = await catalogCounts(t);
    const tooMany = await t.server.inject({
      method: 'POST',
      url: `/api/v1/products/${full.id}/variants`,
      headers: seller.headers,
      payload: { sku: 'v50', options: {}, price: 100 },
    });
    assertError(tooMany, 409, 'CATALOG_TOO_MANY_VARIANTS');
    assert.deepEqual(await catalogCounts(t), before);
  });

  test('another seller cannot touch the product (404, nothing written); a customer gets 403; anonymous 401', async () => {
    const product = await createProduct(t.server, seller, { title: 'Guarded jug' });
    const intruder = await sellerWithShop(t.server);
    const customer = await signUp(t.server, 'customer');
    const snapshot = async () =>
      (
        await sql`select p.title, p.status, p.updated_at, p.price_min, (select json_agg(v order by v.id) from catalog_variants v where v.product_id = p.id) as variants
          from catalog_products p where p.id = ${product.id}`.execute(t.app.stores.catalog.db)
      ).rows[0];
    const before = await snapshot();
    const variantId = product.variants[0]!.id;
    const attempts = [
      { method: 'PATCH' as const, url: `/api/v1/products/${product.id}`, payload: { title: 'Mine now' } },
      { method: 'POST' as const, url: `/api/v1/products/${product.id}/variants`, payload: { options: {}, price: 1 } },
      { method: 'PATCH' as const, url: `/api/v1/products/${product.id}/variants/${variantId}`, payload: { price: 1 } },
    ];
    for (const a of attempts) {
      assertError(await t.server.inject({ ...a, headers: intruder.headers }), 404, 'CATALOG_PRODUCT_NOT_FOUND');
      assert.equal((await t.server.inject({ ...a, headers: customer.headers })).statusCode, 403);
      assert.equal((await t.server.inject(a)).statusCode, 401);
    }
    assert.equal((await get('/api/v1/seller/products', customer.headers)).statusCode, 403);
    assert.equal((await get('/api/v1/seller/products')).statusCode, 401);
    const customerCreate = await t.server.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: customer.headers,
      payload: { title: 'X', description: '', variants: [{ options: {}, price: 100 }] },
    });
    assert.equal(customerCreate.statusCode, 403);
    assert.deepEqual(await snapshot(), before);
    // The intruder's own list does not include it either.
    const theirs = (await get('/api/v1/seller/products', intruder.headers)).json() as { items: ProductJson[] };
    assert.ok(!theirs.items.some((p) => p.id === product.id));
  });

  test('the owner walks their products (drafts included) a keyset page at a time', async () => {
    const own = await sellerWithShop(t.server);
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await createProduct(t.server, own, { title: `Own ${i}`, status: i % 2 ? 'draft' : 'published' })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/seller/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`, own.headers);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json() as { items: ProductJson[]; nextCursor: string | null };
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...made].reverse());
  });
});

describe('categories and public lists', () => {
  let admin: Actor;
  let a: Actor & { shopSlug: string };
  let b: Actor & { shopSlug: string };
  const ids: Record<string, string> = {};
  const all: string[] = [];

  before(async () => {
    admin = await signUpAdmin(t);
    const mk = async (slug: string, parentId?: string) => {
      const res = await t.server.inject({
        method: 'POST',
        url: '/api/v1/admin/categories',
        headers: admin.headers,
        payload: { slug, name: slug.toUpperCase(), ...(parentId ? { parentId } : {}) },
      });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { id: string }).id;
    };
    ids.home = await mk('home');
    ids.kitchen = await mk('kitchen', ids.home);
    ids.mugs = await mk('mugs', ids.kitchen);
    ids.art = await mk('art');
    a = await sellerWithShop(t.server, 'list-shop-a');
    b = await sellerWithShop(t.server, 'list-shop-b');
    // 23 published products with distinct and some equal prices, plus one draft.
    const plan: Array<[Actor, string, number]> = [];
    for (let i = 0; i < 23; i++) {
      const cat = [ids.home, ids.kitchen, ids.mugs, ids.art][i % 4]!;
      plan.push([i % 3 === 0 ? b : a, cat, 1000 + (i % 7) * 250]);
    }
    for (const [who, categoryId, price] of plan) {
      all.push((await createProduct(t.server, who, { title: `Listed ${all.length}`, categoryId, variants: [{ options: {}, price }] })).id);
    }
    await createProduct(t.server, a, { title: 'Listed draft', categoryId: ids.home, status: 'draft' });
  });

  test('the category tree nests children; only admins create categories', async () => {
    const res = await get('/api/v1/categories');
    assert.equal(res.statusCode, 200);
    assert.ok(res.headers.etag);
    type Node = { slug: string; children: Node[] };
    const tree = (res.json() as { categories: Node[] }).categories;
    const home = tree.find((n) => n.slug === 'home')!;
    assert.equal(home.children[0]!.slug, 'kitchen');
    assert.equal(home.children[0]!.children[0]!.slug, 'mugs');

    const before = await catalogCounts(t);
    const seller = await signUp(t.server, 'seller');
    const refused = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/categories',
      headers: seller.headers,
      payload: { slug: 'x', name: 'X' },
    });
    assert.equal(refused.statusCode, 403);
    const anon = await t.server.inject({ method: 'POST', url: '/api/v1/admin/categories', payload: { slug: 'x', name: 'X' } });
    assert.equal(anon.statusCode, 401);
    const dup = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/categories',
      headers: admin.headers,
      payload: { slug: 'home', name: 'Home' },
    });
    assertError(dup, 409, 'CATALOG_CATEGORY_SLUG_TAKEN', 'body.slug');
    const orphan = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/categories',
      headers: admin.headers,
      payload: { slug: 'orphan', name: 'O', parentId: '01900000-0000-7000-8000-000000000000' },
    });
    assertError(orphan, 400, 'CATALOG_CATEGORY_NOT_FOUND', 'body.parentId');
    assert.deepEqual(await catalogCounts(t), before);

    // A new category shows at once (the cached tree was invalidated).
    const made = await t.server.inject({
      method: 'POST',
      url: '/api/v1/admin/categories',
      headers: admin.headers,
      payload: { slug: 'garden', name: 'Garden' },
    });
    assert.equal(made.statusCode, 201);
    const again = (await get('/api/v1/categories')).json() as { categories: Node[] };
    assert.ok(again.categories.some((n) => n.slug === 'garden'));
  });

  test('each sort order walks every published product exactly once, in order, across pages', async () => {
    for (const sort of ['newest', 'price_asc', 'price_desc']) {
      const { ids: seen, pages } = await walk(`/api/v1/products?sort=${sort}&limit=5&category=home`);
      const inHome = all.filter((_, i) => i % 4 !== 3); // home, kitchen, mugs
      assert.equal(pages, Math.ceil(inHome.length / 5));
      assert.equal(new Set(seen).size, seen.length, `${sort}: no duplicates`);
      assert.deepEqual([...seen].sort(), [...inHome].sort(), `${sort}: every product once`);
    }
    const newest = await walk('/api/v1/products?sort=newest&limit=4&shop=list-shop-a');
    const fromA = all.filter((_, i) => i % 3 !== 0);
    assert.deepEqual(newest.ids, [...fromA].reverse());

    const prices = async (sort: string) => {
      const out: number[] = [];
      let cursor: string | null = null;
      do {
        const page = (await get(`/api/v1/products?sort=${sort}&limit=3&category=home${cursor ? `&cursor=${cursor}` : ''}`)).json() as Page;
        out.push(...page.items.map((i) => i.priceMin.amount));
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    const asc = await prices('price_asc');
    assert.deepEqual(
      asc,
      [...asc].sort((x, y) => x - y),
    );
    const desc = await prices('price_desc');
    assert.deepEqual(
      desc,
      [...desc].sort((x, y) => y - x),
    );
  });

  test('filters: a category includes its subcategories; shop; price range', async () => {
    const pick = async (qs: string) => ((await get(`/api/v1/products?limit=100&${qs}`)).json() as Page).items.map((i) => i.id).sort();
    const byIndex = (f: (i: number) => boolean) => all.filter((_, i) => f(i)).sort();
    assert.deepEqual(
      await pick('category=kitchen'),
      byIndex((i) => i % 4 === 1 || i % 4 === 2),
    );
    assert.deepEqual(
      await pick('category=mugs'),
      byIndex((i) => i % 4 === 2),
    );
    assert.deepEqual(
      await pick(`category=${ids.art}`),
      byIndex((i) => i % 4 === 3),
    );
    assert.deepEqual(await pick('category=no-such-category'), []);
    assert.deepEqual(
      await pick('shop=list-shop-b'),
      byIndex((i) => i % 3 === 0),
    );
    const priceOf = (i: number) => 1000 + (i % 7) * 250;
    assert.deepEqual(
      await pick('minPrice=1250&maxPrice=1750&shop=list-shop-a'),
      byIndex((i) => i % 3 !== 0 && priceOf(i) >= 1250 && priceOf(i) <= 1750),
    );
    assert.deepEqual(
      await pick('category=mugs&shop=list-shop-a&minPrice=1500'),
      byIndex((i) => i % 4 === 2 && i % 3 !== 0 && priceOf(i) >= 1500),
    );
    const bad = await get('/api/v1/products?minPrice=2000&maxPrice=1000');
    assertError(bad, 400, 'CATALOG_INVALID_PRICE_RANGE', 'querystring.minPrice');
    assertError(await get('/api/v1/products?limit=0'), 400, 'INVALID_FIELD', 'querystring.limit');
    assertError(await get('/api/v1/products?limit=101'), 400, 'INVALID_FIELD', 'querystring.limit');
    assertError(await get('/api/v1/products?sort=random'), 400, 'INVALID_FIELD', 'querystring.sort');
    assertError(await get('/api/v1/products?minPrice=-1'), 400, 'INVALID_FIELD', 'querystring.minPrice');
  });

  test('a malformed, tampered or foreign cursor is 400 CATALOG_INVALID_CURSOR', async () => {
    const page = (await get('/api/v1/products?limit=2&sort=price_asc')).json() as Page;
    const cursor = page.nextCursor!;
    assert.ok(cursor);
    const [body, sig] = cursor.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString()) as { k: number };
    const tamperedBody = Buffer.from(JSON.stringify({ ...decoded, k: 1 })).toString('base64url');
    const bad = [
      'garbage',
      'not.base64!',
      `${tamperedBody}.${sig}`,
      cursor.slice(0, -1),
      `${Buffer.from('{"s":"price_asc"').toString('base64url')}.x`,
    ];
    for (const c of [...bad, ...bad]) {
      // Twice each: a refused cursor leaves nothing in the cache that would answer the second time.
      assertError(
        await get(`/api/v1/products?limit=2&sort=price_asc&cursor=${encodeURIComponent(c)}`),
        400,
        'CATALOG_INVALID_CURSOR',
        'querystring.cursor',
      );
    }
    // Even a correctly sealed cursor (the digest is not a secret) with an impossible date is a 400, not a 500.
    const forged = sealCursor({ s: 'newest', k: '2026-02-30 00:00:00+00', id: all[0]! });
    assertError(await get(`/api/v1/products?cursor=${forged}`), 400, 'CATALOG_INVALID_CURSOR', 'querystring.cursor');
    const forged2 = sealCursor({ s: 'newest', k: '2026-13-45 00:00:00+00', id: all[0]! });
    assertError(await get(`/api/v1/products?cursor=${forged2}`), 400, 'CATALOG_INVALID_CURSOR', 'querystring.cursor');
    // A cursor made for one sort order is refused by another.
    assertError(await get(`/api/v1/products?limit=2&sort=newest&cursor=${cursor}`), 400, 'CATALOG_INVALID_CURSOR', 'querystring.cursor');
    assertError(await get(`/api/v1/seller/products?cursor=garbage`, a.headers), 400, 'CATALOG_INVALID_CURSOR', 'querystring.cursor');
  });

  test('every public sort order is served by an index scan, also after a cursor', async () => {
    const db = t.app.stores.catalog.db;
    await sql`analyze catalog_products`.execute(db);
    const base: ListFilter = {
      sort: 'newest',
      categoryIds: null,
      shopSlug: null,
      shopId: null,
      minPrice: null,
      maxPrice: null,
      priceCurrency: 'USD',
      after: null,
      limit: 25,
    };
    const cases: Array<[ListFilter, RegExp]> = [
      [base, /Index Scan using catalog_products_newest/],
      [{ ...base, after: { k: '2026-01-01 00:00:00+00', id: all[0]! } }, /Index Scan using catalog_products_newest/],
      [{ ...base, sort: 'price_asc' }, /Index Scan using catalog_products_price/],
      [{ ...base, sort: 'price_asc', after: { k: 1000, id: all[0]! } }, /Index Scan using catalog_products_price/],
      [{ ...base, sort: 'price_desc' }, /Index Scan Backward using catalog_products_price/],
      [{ ...base, shopId: all[0]! }, /Index Scan using catalog_products_shop_newest/],
    ];
    // The table is tiny, so a sequential scan would win on cost: turn it off to see that the index is usable.
    await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      for (const [filter, expected] of cases) {
        const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${listPublishedQuery(filter)}`.execute(trx);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        assert.match(plan, expected, plan);
        assert.doesNotMatch(plan, /Sort Key/, plan);
      }
    });
  });
});

test('the OpenAPI document describes every catalog and search route with its tag and responses', async () => {
  type Op = { tags?: string[]; responses?: Record<string, unknown> };
  const doc = (await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, Op>>;
  };
  const expected: Array<[string, string, string]> = [
    ['/api/v1/categories', 'get', 'catalog'],
    ['/api/v1/admin/categories', 'post', 'catalog'],
    ['/api/v1/shops', 'post', 'catalog'],
    ['/api/v1/shops/{slug}', 'get', 'catalog'],
    ['/api/v1/shops/{slug}', 'patch', 'catalog'],
    ['/api/v1/products', 'get', 'catalog'],
    ['/api/v1/products', 'post', 'catalog'],
    ['/api/v1/products/{id}', 'get', 'catalog'],
    ['/api/v1/products/{id}', 'patch', 'catalog'],
    ['/api/v1/products/{id}/variants', 'post', 'catalog'],
    ['/api/v1/products/{id}/variants/{variantId}', 'patch', 'catalog'],
    ['/api/v1/seller/products', 'get', 'catalog'],
    ['/api/v1/search', 'get', 'search'],
  ];
  for (const [path, method, tag] of expected) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
    assert.deepEqual(op.tags, [tag]);
    assert.ok(
      Object.keys(op.responses ?? {}).some((code) => code.startsWith('2')),
      `${method} ${path} has a success response`,
    );
  }
});

test('the service contract other modules call: owner checks, images, ids and malformed ids', async () => {
  const svc = t.app.catalog.service;
  const owner = await sellerWithShop(t.server);
  const other = await signUp(t.server, 'seller');
  const product = await createProduct(t.server, owner, { title: 'Contract jar' });

  await svc.assertProductOwner(product.id, owner.id);
  await assert.rejects(svc.assertProductOwner(product.id, other.id), { code: 'CATALOG_NOT_OWNER' });
  await assert.rejects(svc.assertProductOwner('01900000-0000-7000-8000-000000000000', owner.id), { code: 'CATALOG_PRODUCT_NOT_FOUND' });
  await assert.rejects(svc.assertProductOwner('not-an-id', owner.id), { code: 'CATALOG_PRODUCT_NOT_FOUND' });
  assert.equal(await svc.getProduct('not-an-id'), null);
  assert.deepEqual(
    (await svc.getProducts(['not-an-id', product.id])).map((p) => p.id),
    [product.id],
  );

  // Images set by the media module show on the next public read and publish product.changed.
  await get(`/api/v1/products/${product.id}`);
  const image = { id: 'img1', alt: 'A jar', urls: { thumb: '/m/t.webp', card: '/m/c.webp', full: '/m/f.webp' } };
  await svc.setProductImages(product.id, [image]);
  const detail = (await get(`/api/v1/products/${product.id}`)).json() as { images: unknown[] };
  assert.deepEqual(detail.images, [image]);
  const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
    where key = ${`event:product.changed:search:${product.id}`}`.execute(t.app.stores.catalog.db);
  assert.equal(jobs.rows[0]!.n, 1, 'one (coalesced) search job for the product');
  await assert.rejects(svc.setProductImages('01900000-0000-7000-8000-000000000000', []), { code: 'CATALOG_PRODUCT_NOT_FOUND' });
  // Lists carry a card-sized view of the first image.
  const list = (await get(`/api/v1/products?shop=${owner.shopSlug}`)).json() as { items: Array<{ id: string; image: unknown }> };
  assert.deepEqual(list.items.find((i) => i.id === product.id)?.image, { alt: 'A jar', thumb: '/m/t.webp', card: '/m/c.webp' });

  const shop = await svc.getShopByOwner(owner.id);
  assert.equal(shop?.slug, owner.shopSlug);
  assert.equal((await svc.getShopBySlug(owner.shopSlug))?.id, shop?.id);
  const page = await svc.listProductIds(null, 1000);
  assert.ok(page.includes(product.id));
  assert.deepEqual(page, [...page].sort());
});

test('sitemap reads: published products (not drafts) in id order a page at a time, their count, and every shop by slug', async () => {
  const svc = t.app.catalog.service;
  const owner = await sellerWithShop(t.server);
  const published = await createProduct(t.server, owner, { title: 'Sitemap jug' });
  const draft = await createProduct(t.server, owner, { title: 'Sitemap draft', status: 'draft' });
  const count = await svc.countPublishedProducts();
  const all = await svc.sitemapProducts(0, count + 10);
  assert.equal(all.length, count, 'the count is the number of published products');
  const ids = all.map((p) => p.id);
  assert.ok(ids.includes(published.id));
  assert.ok(!ids.includes(draft.id), 'a draft is not in the sitemap');
  assert.deepEqual(ids, [...ids].sort(), 'id order');
  assert.ok(all.every((p) => !Number.isNaN(Date.parse(p.updatedAt))));
  // Pages of 2 follow one another without gaps or repeats.
  const paged = [...(await svc.sitemapProducts(0, 2)), ...(await svc.sitemapProducts(2, 2)), ...(await svc.sitemapProducts(4, count))];
  assert.deepEqual(
    paged.map((p) => p.id),
    ids,
  );
  const shops = await svc.sitemapShops(10_000);
  assert.ok(shops.some((s) => s.slug === owner.shopSlug));
  assert.deepEqual(
    shops.map((s) => s.slug),
    shops.map((s) => s.slug).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  assert.equal((await svc.sitemapShops(1)).length, 1);
});

test('concurrent variant writes on one product keep price_min equal to the lowest variant price', async () => {
  const owner = await sellerWithShop(t.server);
  const product = await createProduct(t.server, owner, { variants: [{ sku: 'base', options: {}, price: 5000 }] });
  const base = product.variants[0]!.id;
  const writes = [
    ...Array.from({ length: 8 }, (_, i) =>
      t.server.inject({
        method: 'POST',
        url: `/api/v1/products/${product.id}/variants`,
        headers: owner.headers,
        payload: { sku: `c${i}`, options: {}, price: 3000 + i * 300 },
      }),
    ),
    ...[4000, 2500, 7000, 100].map((price) =>
      t.server.inject({
        method: 'PATCH',
        url: `/api/v1/products/${product.id}/variants/${base}`,
        headers: owner.headers,
        payload: { price },
      }),
    ),
  ];
  for (const res of await Promise.all(writes)) assert.ok(res.statusCode === 200 || res.statusCode === 201, res.body);
  const { rows } = await sql<{ price_min: number; lowest: number; n: number }>`
    select p.price_min, (select min(price) from catalog_variants v where v.product_id = p.id) as lowest,
      (select count(*)::int from catalog_variants v where v.product_id = p.id) as n
    from catalog_products p where p.id = ${product.id}`.execute(t.app.stores.catalog.db);
  assert.equal(rows[0]!.n, 9);
  assert.equal(rows[0]!.price_min, rows[0]!.lowest);
  const detail = (await get(`/api/v1/products/${product.id}`)).json() as ProductJson;
  assert.equal(detail.priceMin.amount, rows[0]!.lowest);
});

test('getVariants and assertVariantOwner: what carts and checkout read, owner checks by variant', async () => {
  const svc = t.app.catalog.service;
  const owner = await sellerWithShop(t.server);
  const other = await signUp(t.server, 'seller');
  const product = await createProduct(t.server, owner, {
    title: 'Variant jar',
    variants: [
      { sku: 'small', options: { size: 'S' }, price: 1200 },
      { sku: 'large', options: { size: 'L' }, price: 2400 },
    ],
  });
  const draft = await createProduct(t.server, owner, { title: 'Draft jar', status: 'draft' });
  const [small, large] = product.variants;
  const draftVariant = draft.variants[0]!.id;

  const found = await svc.getVariants([small!.id, large!.id, draftVariant, small!.id, 'not-an-id', '01900000-0000-7000-8000-000000000000']);
  assert.equal(found.length, 3, 'duplicates, malformed and unknown ids are left out');
  const bySku = new Map(found.map((v) => [v.sku, v]));
  const shop = await svc.getShopByOwner(owner.id);
  assert.deepEqual(bySku.get('small'), {
    variantId: small!.id,
    productId: product.id,
    productTitle: 'Variant jar',
    sku: 'small',
    options: { size: 'S' },
    price: { amount: 1200, currency: shop!.currency },
    shopId: owner.shopId,
    shopName: shop!.name,
    sellerId: owner.id,
    published: true,
  });
  assert.equal(bySku.get('large')?.price.amount, 2400);
  assert.equal(found.find((v) => v.variantId === draftVariant)?.published, false);
  assert.deepEqual(await svc.getVariants([]), []);

  assert.deepEqual(await svc.assertVariantOwner(large!.id, owner.id), { productId: product.id });
  await assert.rejects(svc.assertVariantOwner(large!.id, other.id), { code: 'CATALOG_NOT_OWNER' });
  await assert.rejects(svc.assertVariantOwner('01900000-0000-7000-8000-000000000000', owner.id), { code: 'CATALOG_VARIANT_NOT_FOUND' });
  await assert.rejects(svc.assertVariantOwner('not-an-id', owner.id), { code: 'CATALOG_VARIANT_NOT_FOUND' });
});
