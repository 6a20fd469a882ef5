import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/support/test-app.ts';
import { loadConfig } from './config.ts';
import { DEMO_PASSWORD_FILE, demoPassword } from './demo-password.ts';
import { DEMO_ADMIN_EMAIL, hashSeed, makeProducts, planShops, seedDemo, UNIQUE_PICTURES, type SeedResult } from './seed.ts';

const N = 300;

describe('demo catalog plan (no database)', () => {
  const shape = (n: number) => {
    const seed = hashSeed('atelier-demo', n);
    return planShops(n, 1, seed).map((plan) => ({
      plan,
      products: makeProducts(plan, seed, new Map(), 0).map(({ pictures, ...p }) => ({
        ...p,
        pictures: pictures.map((x) => [x.key, x.alt]),
      })),
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

  test('pictures draw what the title names: the alt text names the object in the title', () => {
    const all = shape(1000).flatMap((s) => s.products);
    for (const p of all) {
      const [alt, ...details] = p.pictures.map(([, a]) => a!);
      const drawn = /^Drawing of (?:an? )?(.+?) (?:in|showing|printed with) /.exec(alt!);
      assert.ok(drawn, alt);
      assert.ok(p.title.includes(drawn[1]!), `${alt} / ${p.title}`);
      assert.match(alt!, /, on a [a-z ]+ background$/);
      for (const d of details) assert.match(d, /^(Close-up of |Drawing of a brown recycled-card gift box)/);
    }
  });

  test('the first UNIQUE_PICTURES products get pictures of their own; later ones share a few per object and colour', () => {
    const n = 5000;
    const seed = hashSeed('atelier-demo', n);
    const keys: string[] = [];
    let first = 0;
    for (const plan of planShops(n, 1, seed)) {
      for (const p of makeProducts(plan, seed, new Map(), first)) keys.push(p.pictures[0]!.key);
      first += plan.products;
    }
    assert.equal(new Set(keys.slice(0, UNIQUE_PICTURES)).size, UNIQUE_PICTURES);
    const shared = new Set(keys.slice(UNIQUE_PICTURES)).size;
    assert.ok(shared < 1000, `${shared} shared pictures for ${n - UNIQUE_PICTURES} products`);
  });
});

describe('the demo password', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'atelier-demo-pw-'));
    dirs.push(d);
    return d;
  };

  test('made from randomness at first, kept owner-only (0600) in the data folder, the same one read back later', async () => {
    const dir = await tempDir();
    const previous = process.umask(0o000); // the most permissive umask must not widen the file
    let first;
    try {
      first = await demoPassword(dir);
    } finally {
      process.umask(previous);
    }
    assert.equal(first.created, true);
    assert.equal(first.file, path.join(dir, DEMO_PASSWORD_FILE));
    assert.equal((await stat(first.file)).mode & 0o777, 0o600);
    assert.match(first.password, /^[A-Za-z0-9_-]{24}$/);
    assert.equal((await readFile(first.file, 'utf8')).trim(), first.password);
    const again = await demoPassword(dir);
    assert.deepEqual(again, { ...first, created: false });
    assert.notEqual((await demoPassword(await tempDir())).password, first.password, 'each installation its own');
  });

  test('two seeds racing on a new folder agree on one password; a kept file readable by others is narrowed to 0600', async () => {
    const dir = await tempDir();
    const raced = await Promise.all([demoPassword(dir), demoPassword(dir), demoPassword(dir)]);
    assert.equal(new Set(raced.map((r) => r.password)).size, 1);
    assert.equal(raced.filter((r) => r.created).length, 1);
    await chmod(raced[0]!.file, 0o644);
    await demoPassword(dir);
    assert.equal((await stat(raced[0]!.file)).mode & 0o777, 0o600);
    await writeFile(raced[0]!.file, 'short\n');
    await assert.rejects(demoPassword(dir), /no usable demo password/);
  });

  test('demo accounts are seeded on start by default, never with NODE_ENV=production unless DEMO_SEED=true', () => {
    assert.equal(loadConfig({}).demoSeed, true);
    assert.equal(loadConfig({ NODE_ENV: 'development' }).demoSeed, true);
    assert.equal(loadConfig({ NODE_ENV: 'production' }).demoSeed, false);
    assert.equal(loadConfig({ NODE_ENV: 'production', DEMO_SEED: 'true' }).demoSeed, true);
    assert.equal(loadConfig({ DEMO_SEED: 'false' }).demoSeed, false);
  });
});

describe('seedDemo', () => {
  let t: TestApp;
  let result: SeedResult;
  before(async () => {
    t = await createTestApp();
    result = await seedDemo(t.app, { products: N, onlyIfEmpty: true, progress: false });
  });
  after(async () => {
    await t?.close();
  });

  const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(t.app.stores.catalog.db)).rows[0]!.n;

  test('makes the asked number of products in min(3)..N/50 shops, every id listed by the catalog', async () => {
    assert.deepEqual([result.created, result.products, result.password?.created], [true, N, true]);
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

  test('demo products have pictures of their own, each stored once, with alt text describing the drawing', async () => {
    const ids = await t.app.catalog.service.listProductIds(null, N);
    const products = await t.app.catalog.service.getProducts(ids);
    const cards = products.map((p) => p.images[0]!.urls.card);
    assert.notEqual(cards[0], cards[1], 'two demo products, two different image URLs');
    assert.ok(new Set(cards).size >= UNIQUE_PICTURES, `${new Set(cards).size} distinct pictures for ${N} products`);
    for (const p of products) {
      assert.match(p.images[0]!.alt, /^Drawing of .+ background$/);
      assert.notEqual(p.images[0]!.alt, p.title, 'the alt text describes the picture, not the listing');
      assert.equal(new Set(p.images.map((i) => i.urls.full)).size, p.images.length, 'no picture twice on one product');
    }
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

  test('the admin and sellers log in with the password kept (0600) in the data folder, and with nothing else', async () => {
    const file = path.join(t.app.config.dataDir, DEMO_PASSWORD_FILE);
    assert.equal(result.password?.file, file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const password = (await readFile(file, 'utf8')).trim();
    for (const email of [DEMO_ADMIN_EMAIL, 'seller1@atelier.test']) {
      const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
      assert.equal(res.statusCode, 200, `${email}: ${res.body}`);
      const old = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: 'atelier-demo-password' },
      });
      assert.equal(old.statusCode, 401, 'the password the README used to print is no longer theirs');
    }
  });

  test('onlyIfEmpty does nothing the second time', async () => {
    const again = await seedDemo(t.app, { products: N, onlyIfEmpty: true, progress: false });
    assert.deepEqual(again, { created: false, products: 0, password: null });
    assert.equal(await count(sql<{ n: number }>`select count(*)::int as n from catalog_products`), N);
  });

  test('seeding again without onlyIfEmpty adds a new generation of shops instead of colliding', async () => {
    const more = await seedDemo(t.app, { products: 20, onlyIfEmpty: false, progress: false });
    assert.deepEqual([more.created, more.products], [true, 20]);
    assert.deepEqual(more.password, { ...result.password, created: false }, 'the kept password, not a new one');
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'seller1.g2@atelier.test', password: more.password!.password },
    });
    assert.equal(login.statusCode, 200, login.body);
    assert.equal(await count(sql<{ n: number }>`select count(*)::int as n from catalog_products`), N + 20);
  });
});
