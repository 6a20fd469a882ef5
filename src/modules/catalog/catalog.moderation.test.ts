import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { AUDIT_EVENT } from '../audit/index.ts';
import { assertError, createProduct, signUp, signUpAdmin, type Actor } from './catalog.test-support.ts';

/**
 * The operator's moderation (issue 15) through HTTP on real databases, with
 * ATELIER_SHOP_APPROVAL=required: approval, suspension and reinstatement as the storefront's reads,
 * search and checkout see them, role and ownership checks, concurrency, and the audit entries.
 */
let t: TestApp;
let admin: Actor;
/** Every audit.recorded event the app published, as a subscriber receives them (drainJobs delivers). */
const audited: Array<Record<string, unknown>> = [];

before(async () => {
  t = await createTestApp({ ATELIER_SHOP_APPROVAL: 'required' });
  t.app.events.subscribe(AUDIT_EVENT, 'moderation-test', async (event) => {
    audited.push(event.payload);
  });
  admin = await signUpAdmin(t);
});
after(async () => {
  await t.close();
});

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const get = (url: string, headers: Record<string, string> = {}) => t.server.inject({ method: 'GET', url, headers });
const post = (url: string, headers: Record<string, string>, payload?: unknown) =>
  t.server.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

type ShopJson = { id: string; slug: string; status: string; statusReason: string | null; story: string; returnsPolicy: string };

async function openShop(seller: Actor, over: Record<string, unknown> = {}): Promise<ShopJson> {
  const slug = unique('shop');
  const res = await post('/api/v1/shops', seller.headers, {
    slug,
    name: `Shop ${slug}`,
    story: 'Thrown on a kick wheel since 1998',
    shippingPolicy: 'Ships in 3 days',
    returnsPolicy: 'Returns within 30 days',
    ...over,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<ShopJson>();
}

/** The audit entries recorded so far for one target, after delivering the queued events. */
async function auditOf(targetId: string): Promise<Array<Record<string, unknown>>> {
  await t.drainJobs();
  return audited.filter((e) => e.targetId === targetId);
}

const ids = (res: LightMyRequestResponse) => res.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id);

/** A seller whose shop the operator approved, with one published, stocked product (indexed for search). */
async function approvedListing(title: string) {
  const seller = await signUp(t.server, 'seller');
  const shop = await openShop(seller);
  const product = await createProduct(t.server, seller, { title });
  assert.equal((await post(`/api/v1/admin/shops/${shop.id}/approve`, admin.headers)).statusCode, 200);
  const variantId = product.variants[0]!.id;
  await t.app.inventory.service.restock(variantId, 10);
  await t.drainJobs();
  return { seller, shop, product, variantId };
}

describe('opening a shop when the marketplace asks for approval', () => {
  test('the shop waits, pending, with nothing public; the operator approves it and its products appear at once', async () => {
    const seller = await signUp(t.server, 'seller');
    const shop = await openShop(seller);
    assert.equal(shop.status, 'pending');
    assert.equal(shop.story, 'Thrown on a kick wheel since 1998');
    assert.equal(shop.returnsPolicy, 'Returns within 30 days');

    const mine = await get('/api/v1/seller/shop', seller.headers);
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(mine.json<ShopJson>().status, 'pending');
    assert.equal(mine.headers['cache-control'], 'private, no-store');

    const title = `Pending pot ${unique('w')}`;
    const product = await createProduct(t.server, seller, { title });
    await t.drainJobs();
    // Read (and so cached) while pending: the approval must replace every one of these.
    assert.equal((await get(`/api/v1/products/${product.id}`)).statusCode, 404);
    assert.equal((await get(`/api/v1/shops/${shop.slug}`)).statusCode, 404);
    assert.ok(!ids(await get('/api/v1/products?limit=100')).includes(product.id));
    assert.ok(!ids(await get(`/api/v1/search?q=${encodeURIComponent(title)}`)).includes(product.id));

    const pending = await get('/api/v1/admin/shops?status=pending&limit=100', admin.headers);
    assert.equal(pending.statusCode, 200, pending.body);
    assert.ok(ids(pending).includes(shop.id));

    const approved = await post(`/api/v1/admin/shops/${shop.id}/approve`, admin.headers);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json<ShopJson>().status, 'active');

    // No job has run: the pages and search show the approval before any event is delivered.
    assert.equal((await get(`/api/v1/products/${product.id}`)).statusCode, 200);
    assert.equal((await get(`/api/v1/shops/${shop.slug}`)).statusCode, 200);
    assert.ok(ids(await get('/api/v1/products?limit=100')).includes(product.id));
    assert.ok(ids(await get(`/api/v1/search?q=${encodeURIComponent(title)}`)).includes(product.id));
    assert.equal((await get('/api/v1/seller/shop', seller.headers)).json<ShopJson>().status, 'active');

    assertError(await post(`/api/v1/admin/shops/${shop.id}/approve`, admin.headers), 409, 'CATALOG_SHOP_STATUS_CONFLICT');
    assertError(await post(`/api/v1/admin/shops/${shop.id}/reinstate`, admin.headers), 409, 'CATALOG_SHOP_STATUS_CONFLICT');

    const entries = await auditOf(shop.id);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['shop.opened', 'shop.approved'],
      'one entry per change, none for the refused moves',
    );
    const approval = entries[1]!;
    assert.deepEqual(approval.before, { status: 'pending', statusReason: null });
    assert.deepEqual(approval.after, { status: 'active', statusReason: null });
    assert.equal((approval.actor as { accountId: string }).accountId, admin.id);
    assert.equal((entries[0]!.after as { status: string }).status, 'pending');
  });

  test('a seller sees only their own shop, and cannot change another (404)', async () => {
    const owner = await signUp(t.server, 'seller');
    const shop = await openShop(owner);
    const intruder = await signUp(t.server, 'seller');
    assertError(await get('/api/v1/seller/shop', intruder.headers), 404, 'CATALOG_SHOP_NOT_FOUND');
    const refused = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/shops/${shop.slug}`,
      headers: intruder.headers,
      payload: { name: 'Hijacked', story: 'Not mine' },
    });
    assertError(refused, 404, 'CATALOG_SHOP_NOT_FOUND');
    const row = await sql<{ name: string }>`select name from catalog_shops where id = ${shop.id}`.execute(t.app.stores.catalog.db);
    assert.equal(row.rows[0]!.name, `Shop ${shop.slug}`);

    const edited = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/shops/${shop.slug}`,
      headers: owner.headers,
      payload: { shippingPolicy: 'Ships the next day' },
    });
    assert.equal(edited.statusCode, 200, edited.body);
    const entries = await auditOf(shop.id);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['shop.opened', 'shop.updated'],
    );
    assert.deepEqual(entries[1]!.before, { shippingPolicy: 'Ships in 3 days' });
    assert.deepEqual(entries[1]!.after, { shippingPolicy: 'Ships the next day' });
  });
});

describe('suspending a shop', () => {
  test('its products leave the lists, the product page, the shop page and search at once; checkout refuses the line; reinstated, they return', async () => {
    const title = `Suspended jug ${unique('w')}`;
    const { seller, shop, product, variantId } = await approvedListing(title);
    const customer = await signUp(t.server, 'customer');
    const put = await t.server.inject({
      method: 'PUT',
      url: `/api/v1/cart/lines/${variantId}`,
      headers: customer.headers,
      payload: { quantity: 1 },
    });
    assert.equal(put.statusCode, 200, put.body);

    const search = `/api/v1/search?q=${encodeURIComponent(title)}`;
    // Warm every cache first: the suspension must reach past them.
    assert.ok(ids(await get('/api/v1/products?limit=100')).includes(product.id));
    assert.equal((await get(`/api/v1/products/${product.id}`)).statusCode, 200);
    assert.equal((await get(`/api/v1/shops/${shop.slug}`)).statusCode, 200);
    assert.ok(ids(await get(search)).includes(product.id));

    const reason = 'Listings copy another maker’s designs';
    const suspended = await post(`/api/v1/admin/shops/${shop.id}/suspend`, admin.headers, { reason });
    assert.equal(suspended.statusCode, 200, suspended.body);
    assert.equal(suspended.json<ShopJson>().status, 'suspended');

    assert.ok(!ids(await get('/api/v1/products?limit=100')).includes(product.id));
    assertError(await get(`/api/v1/products/${product.id}`), 404, 'CATALOG_PRODUCT_NOT_FOUND');
    assertError(await get(`/api/v1/shops/${shop.slug}`), 404, 'CATALOG_SHOP_NOT_FOUND');
    assert.ok(!ids(await get(search)).includes(product.id));
    // Nor does the sitemap name them.
    const catalog = t.app.catalog.service;
    assert.ok(!(await catalog.sitemapShops(10_000)).some((x) => x.slug === shop.slug));
    assert.ok(!(await catalog.sitemapProducts(0, 10_000)).some((x) => x.id === product.id));

    const refused = await t.server.inject({
      method: 'POST',
      url: '/api/v1/checkout',
      headers: { ...customer.headers, 'idempotency-key': unique('key') },
      payload: { shippingAddress: { name: 'Bea', line1: '1 Loom Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' } },
    });
    assertError(refused, 409, 'ORDERS_LINE_UNAVAILABLE');
    assert.deepEqual(refused.json<{ error: { details: unknown } }>().error.details, { lines: [{ variantId, requested: 1 }] });
    const cart = await get('/api/v1/cart', customer.headers);
    assert.equal(cart.json<{ lines: Array<{ reason: string | null }> }>().lines[0]!.reason, 'variant_unpublished');

    const mine = (await get('/api/v1/seller/shop', seller.headers)).json<ShopJson>();
    assert.equal(mine.status, 'suspended');
    assert.equal(mine.statusReason, reason);
    const products = await get('/api/v1/seller/products', seller.headers);
    assert.equal(products.json<{ items: Array<{ shopStatus: string }> }>().items[0]!.shopStatus, 'suspended');

    assertError(await post(`/api/v1/admin/shops/${shop.id}/suspend`, admin.headers, { reason }), 409, 'CATALOG_SHOP_STATUS_CONFLICT');
    assertError(await post(`/api/v1/admin/shops/${shop.id}/approve`, admin.headers), 409, 'CATALOG_SHOP_STATUS_CONFLICT');

    const reinstated = await post(`/api/v1/admin/shops/${shop.id}/reinstate`, admin.headers);
    assert.equal(reinstated.statusCode, 200, reinstated.body);
    assert.equal(reinstated.json<ShopJson>().statusReason, null);
    assert.ok(ids(await get('/api/v1/products?limit=100')).includes(product.id));
    assert.equal((await get(`/api/v1/products/${product.id}`)).statusCode, 200);
    assert.equal((await get(`/api/v1/shops/${shop.slug}`)).statusCode, 200);
    assert.ok(ids(await get(search)).includes(product.id));
    assert.ok((await catalog.sitemapProducts(0, 10_000)).some((x) => x.id === product.id));
    const accepted = await t.server.inject({
      method: 'POST',
      url: '/api/v1/checkout',
      headers: { ...customer.headers, 'idempotency-key': unique('key') },
      payload: { shippingAddress: { name: 'Bea', line1: '1 Loom Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' } },
    });
    assert.equal(accepted.statusCode, 202, accepted.body);

    const entries = await auditOf(shop.id);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['shop.opened', 'shop.approved', 'shop.suspended', 'shop.reinstated'],
    );
    assert.deepEqual(entries[2]!.after, { status: 'suspended', statusReason: reason });
    assert.equal(entries[2]!.reason, reason);
    assert.deepEqual(entries[3]!.before, { status: 'suspended', statusReason: reason });
  });

  test('a blank reason is refused and changes nothing', async () => {
    const { shop } = await approvedListing(`Blank ${unique('b')}`);
    assertError(
      await post(`/api/v1/admin/shops/${shop.id}/suspend`, admin.headers, { reason: '   ' }),
      400,
      'CATALOG_REASON_REQUIRED',
      'body.reason',
    );
    assertError(await post(`/api/v1/admin/shops/${shop.id}/suspend`, admin.headers, {}), 400, 'MISSING_FIELD', 'body.reason');
    const detail = await get(`/api/v1/admin/shops/${shop.id}`, admin.headers);
    assert.equal(detail.json<{ shop: ShopJson }>().shop.status, 'active');
    assertError(
      await post(`/api/v1/admin/shops/${crypto.randomUUID()}/suspend`, admin.headers, { reason: 'x' }),
      404,
      'CATALOG_SHOP_NOT_FOUND',
    );
  });

  test('concurrent approve and suspend leave one coherent state, with one audit entry per move that happened', async () => {
    const seller = await signUp(t.server, 'seller');
    const shop = await openShop(seller);
    const moves = await Promise.all([
      post(`/api/v1/admin/shops/${shop.id}/approve`, admin.headers),
      post(`/api/v1/admin/shops/${shop.id}/suspend`, admin.headers, { reason: 'Race' }),
      post(`/api/v1/admin/shops/${shop.id}/approve`, admin.headers),
      post(`/api/v1/admin/shops/${shop.id}/suspend`, admin.headers, { reason: 'Race' }),
    ]);
    for (const m of moves) assert.ok(m.statusCode === 200 || m.statusCode === 409, m.body);
    // Exactly one suspension can happen (suspended is where both moves' paths end), at most one approval.
    const done = moves.filter((m) => m.statusCode === 200).map((m) => m.json<ShopJson>().status);
    assert.equal(done.filter((s) => s === 'suspended').length, 1, JSON.stringify(done));
    assert.ok(done.filter((s) => s === 'active').length <= 1, JSON.stringify(done));

    const row = (
      await sql<{
        status: string;
        status_reason: string | null;
      }>`select status, status_reason from catalog_shops where id = ${shop.id}`.execute(t.app.stores.catalog.db)
    ).rows[0]!;
    assert.deepEqual(row, { status: 'suspended', status_reason: 'Race' });
    const entries = (await auditOf(shop.id)).filter((e) => e.action !== 'shop.opened');
    assert.equal(entries.length, done.length, 'an audit entry for each move that committed, and only those');
    // The entries make one path from pending to suspended, each starting where another ended: the
    // moves were serialised on the shop's row. Walked by state, not by arrival: the events reach
    // the subscriber (and the chain) in delivery order, which concurrent jobs may swap.
    const transitions = entries.map((e) => [(e.before as { status: string }).status, (e.after as { status: string }).status]);
    let status = 'pending';
    for (let step = 0; step < entries.length; step++) {
      const next = transitions.filter(([from]) => from === status);
      assert.equal(next.length, 1, `one move out of ${status}: ${JSON.stringify(transitions)}`);
      status = next[0]![1]!;
    }
    assert.equal(status, 'suspended');
  });
});

describe('products made while the shop is suspended', () => {
  test('a product created concurrently with the suspension is never left public', async () => {
    const { seller, shop } = await approvedListing(`Race ${unique('r')}`);
    const [, ...made] = await Promise.all([
      post(`/api/v1/admin/shops/${shop.id}/suspend`, admin.headers, { reason: 'Race' }),
      ...Array.from({ length: 6 }, (_, i) =>
        post('/api/v1/products', seller.headers, {
          title: `Raced ${i}`,
          description: '',
          status: 'published',
          variants: [{ options: {}, price: 900 }],
        }),
      ),
    ]);
    for (const m of made) assert.equal(m.statusCode, 201, m.body);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from catalog_products
      where shop_id = ${shop.id} and shop_active`.execute(t.app.stores.catalog.db);
    assert.equal(rows[0]!.n, 0, 'every product of the suspended shop is out of the public indexes');
    for (const m of made) assert.equal((await get(`/api/v1/products/${m.json<{ id: string }>().id}`)).statusCode, 404);
  });
});

describe('unpublishing a product', () => {
  test('the product leaves the storefront, its seller reads why and cannot publish it until the hold is lifted', async () => {
    const title = `Held vase ${unique('v')}`;
    const { seller, product } = await approvedListing(title);
    assert.equal((await get(`/api/v1/products/${product.id}`)).statusCode, 200);

    const reason = 'The photos show a factory-made vase';
    const res = await post(`/api/v1/admin/products/${product.id}/unpublish`, admin.headers, { reason });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<{ status: string }>().status, 'draft');
    assertError(await get(`/api/v1/products/${product.id}`), 404, 'CATALOG_PRODUCT_NOT_FOUND');
    assert.ok(!ids(await get(`/api/v1/search?q=${encodeURIComponent(title)}`)).includes(product.id));

    const held = await get('/api/v1/seller/products?status=unpublished', seller.headers);
    assert.equal(held.statusCode, 200, held.body);
    const items = held.json<{ items: Array<{ id: string; moderationNote: string | null }> }>().items;
    assert.deepEqual(
      items.map((i) => [i.id, i.moderationNote]),
      [[product.id, reason]],
    );
    assert.deepEqual(ids(await get('/api/v1/seller/products?status=published', seller.headers)), []);

    const publish = () =>
      t.server.inject({
        method: 'PATCH',
        url: `/api/v1/products/${product.id}`,
        headers: seller.headers,
        payload: { status: 'published' },
      });
    assertError(await publish(), 409, 'CATALOG_PRODUCT_HELD', 'body.status');

    const released = await post(`/api/v1/admin/products/${product.id}/release`, admin.headers);
    assert.equal(released.statusCode, 200, released.body);
    assert.equal(released.json<{ moderationNote: string | null }>().moderationNote, null);
    assertError(await post(`/api/v1/admin/products/${product.id}/release`, admin.headers), 409, 'CATALOG_PRODUCT_NOT_HELD');
    assert.equal((await publish()).statusCode, 200);
    assert.equal((await get(`/api/v1/products/${product.id}`)).statusCode, 200);

    const entries = await auditOf(product.id);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['product.unpublished', 'product.hold_lifted'],
    );
    assert.deepEqual(entries[0]!.before, { status: 'published', moderationNote: null });
    assert.deepEqual(entries[0]!.after, { status: 'draft', moderationNote: reason });
    assert.equal(entries[0]!.reason, reason);
  });

  test('the public product never carries the operator’s note or the shop status', async () => {
    const { product } = await approvedListing(`Plain ${unique('p')}`);
    const body = (await get(`/api/v1/products/${product.id}`)).json<Record<string, unknown>>();
    assert.equal('moderationNote' in body, false);
    assert.equal('shopStatus' in body, false);
  });
});

describe('the seller’s product list', () => {
  test('searches titles and filters by status', async () => {
    const seller = await signUp(t.server, 'seller');
    await openShop(seller);
    const mug = await createProduct(t.server, seller, { title: 'Speckled 100% mug' });
    const bowl = await createProduct(t.server, seller, { title: 'Speckled bowl', status: 'draft' });
    await createProduct(t.server, seller, { title: 'Linen towel' });
    const list = async (query: string) => ids(await get(`/api/v1/seller/products?${query}`, seller.headers));
    assert.deepEqual(await list('q=speckled'), [bowl.id, mug.id]);
    assert.deepEqual(await list('q=speckled&status=draft'), [bowl.id]);
    assert.deepEqual(await list('q=100%25'), [mug.id], 'a % is a character, not a wildcard');
    assert.deepEqual(await list('q=SPECKLED&status=published&limit=1'), [mug.id]);
    assertError(await get('/api/v1/seller/products?status=gone', seller.headers), 400, 'INVALID_FIELD');
  });
});

describe('the console’s look-ups of shops', () => {
  test('by name, slug and status, a keyset page at a time; detail with product counts', async () => {
    const tag = unique('findme');
    const made: ShopJson[] = [];
    for (let i = 0; i < 3; i++)
      made.push(await openShop(await signUp(t.server, 'seller'), { slug: `${tag}-${i}`, name: `Find Me ${tag} ${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/admin/shops?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin.headers);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json<{ items: ShopJson[]; nextCursor: string | null }>();
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, made.map((s) => s.id).reverse(), 'newest first, each once');
    assert.deepEqual(ids(await get(`/api/v1/admin/shops?q=${tag.toUpperCase()}&status=active`, admin.headers)), []);
    assertError(await get('/api/v1/admin/shops?cursor=bogus.abc', admin.headers), 400, 'CATALOG_INVALID_CURSOR');

    const detail = await get(`/api/v1/admin/shops/${made[0]!.id}`, admin.headers);
    assert.equal(detail.statusCode, 200, detail.body);
    assert.deepEqual(detail.json<{ products: unknown }>().products, { published: 0, draft: 0, held: 0 });
    assertError(await get(`/api/v1/admin/shops/${crypto.randomUUID()}`, admin.headers), 404, 'CATALOG_SHOP_NOT_FOUND');
  });
});

describe('roles', () => {
  test('sellers and customers cannot call the operator’s routes (403), anonymous callers are asked to sign in (401)', async () => {
    const { seller, shop, product } = await approvedListing(`Guarded ${unique('g')}`);
    const customer = await signUp(t.server, 'customer');
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/admin/shops'],
      ['GET', `/api/v1/admin/shops/${shop.id}`],
      ['POST', `/api/v1/admin/shops/${shop.id}/approve`],
      ['POST', `/api/v1/admin/shops/${shop.id}/suspend`, { reason: 'mine now' }],
      ['POST', `/api/v1/admin/shops/${shop.id}/reinstate`],
      ['POST', `/api/v1/admin/products/${product.id}/unpublish`, { reason: 'mine now' }],
      ['POST', `/api/v1/admin/products/${product.id}/release`],
      ['GET', '/api/v1/admin/accounts?q=a'],
    ];
    for (const [method, url, payload] of routes) {
      for (const who of [seller, customer]) {
        const res = await t.server.inject({
          method: method as 'GET' | 'POST',
          url,
          headers: who.headers,
          ...(payload ? { payload: payload as Record<string, unknown> } : {}),
        });
        assertError(res, 403, 'IDENTITY_FORBIDDEN');
      }
      const anonymous = await t.server.inject({
        method: method as 'GET' | 'POST',
        url,
        ...(payload ? { payload: payload as Record<string, unknown> } : {}),
      });
      assert.equal(anonymous.statusCode, 401, anonymous.body);
    }
    assert.equal((await get(`/api/v1/admin/shops/${shop.id}`, admin.headers)).json<{ shop: ShopJson }>().shop.status, 'active');
  });
});
