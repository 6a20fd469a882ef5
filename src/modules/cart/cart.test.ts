import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyReply, FastifyRequest, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newCustomerId, newId, shardOfId } from '../../shared/ids.ts';
import { CART_COOKIE, MAX_CART_LINES, type CartView } from './index.ts';
import { signUpAndLogIn } from '../../../test/support/accounts.ts';

let counter = 0;
const unique = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

type Actor = { id: string; headers: Record<string, string> };
type Variant = { id: string; price: { amount: number; currency: string } };

function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json<{ error: { code: string; field?: string } }>();
  assert.equal(body.error.code, code, res.body);
  if (field !== undefined) assert.equal(body.error.field, field, res.body);
}

describe('cart', () => {
  let t: TestApp;
  let seller: Actor;
  let productId: string;
  let variants: Variant[];
  let draftVariant: Variant;

  async function signUp(role: 'customer' | 'seller', extra: Record<string, string> = {}): Promise<Actor & { email: string }> {
    const email = `${unique(role)}@example.test`;
    const res = await signUpAndLogIn(t.server, { email, password: 'correct horse battery', name: 'A person', role }, { headers: extra });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ account: { id: string }; token: string }>();
    return { id: body.account.id, headers: { authorization: `Bearer ${body.token}` }, email };
  }

  async function product(status: 'published' | 'draft', count: number, price = 1250): Promise<{ id: string; variants: Variant[] }> {
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: seller.headers,
      payload: {
        title: `Indigo mug ${unique('p')}`,
        description: 'Thrown by hand',
        status,
        variants: Array.from({ length: count }, (_, i) => ({ options: { n: String(i) }, price: price + i })),
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json<{ id: string; variants: Variant[] }>();
    for (const v of body.variants) await t.app.inventory.service.restock(v.id, 100);
    return body;
  }

  const put = (variantId: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.server.inject({ method: 'PUT', url: `/api/v1/cart/lines/${variantId}`, headers, payload: payload as Record<string, unknown> });
  const view = async (headers: Record<string, string> = {}) => {
    const res = await t.server.inject({ method: 'GET', url: '/api/v1/cart', headers });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<CartView>();
  };
  const guestCookie = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === CART_COOKIE);
  const asGuest = (id: string) => ({ cookie: `${CART_COOKIE}=${id}` });

  /** Cart rows of an owner on every shard database: [the shard it routes to, the others]. */
  async function rowsByShard(ownerId: string): Promise<{ home: number; elsewhere: number }> {
    const home = t.app.stores.shards.forId(ownerId);
    let h = 0;
    let e = 0;
    for (const shard of t.app.stores.shards.databases) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from cart_lines where owner_id = ${ownerId}`.execute(shard.db);
      if (shard.name === home.name) h += rows[0]!.n;
      else e += rows[0]!.n;
    }
    return { home: h, elsewhere: e };
  }
  async function totalRows(): Promise<number> {
    let n = 0;
    for (const shard of t.app.stores.shards.databases) {
      n += (await sql<{ n: number }>`select count(*)::int as n from cart_lines`.execute(shard.db)).rows[0]!.n;
    }
    return n;
  }

  before(async () => {
    t = await createTestApp();
    seller = await signUp('seller');
    const shop = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: seller.headers,
      payload: { slug: unique('shop'), name: 'Clay and Co' },
    });
    assert.equal(shop.statusCode, 201, shop.body);
    const p = await product('published', 3);
    productId = p.id;
    variants = p.variants;
    draftVariant = (await product('draft', 1)).variants[0]!;
  });
  after(async () => {
    await t?.close();
  });

  test('a customer adds, changes, views and removes lines; prices and titles come from the catalog', async () => {
    const me = await signUp('customer');
    const [a, b] = variants as [Variant, Variant];
    let res = await put(a.id, { quantity: 2 }, me.headers);
    assert.equal(res.statusCode, 200, res.body);
    res = await put(b.id, { quantity: 1 }, me.headers);
    let cart = res.json<CartView>();
    assert.deepEqual(
      cart.lines.map((l) => [l.variantId, l.quantity, l.unitPrice?.amount, l.lineTotal?.amount, l.available, l.stock]),
      [
        [a.id, 2, 1250, 2500, true, 'in_stock'],
        [b.id, 1, 1251, 1251, true, 'in_stock'],
      ],
    );
    assert.equal(cart.lines[0]!.productId, productId);
    assert.match(cart.lines[0]!.productTitle ?? '', /^Indigo mug/);
    assert.equal(cart.lines[0]!.shopName, 'Clay and Co');
    assert.deepEqual(cart.totals, [{ amount: 3751, currency: cart.lines[0]!.unitPrice!.currency }]);
    assert.equal(cart.itemCount, 3);
    assert.equal(guestCookie(res), undefined, 'an account needs no guest cookie');

    // Set, not add: PUT is idempotent.
    await put(a.id, { quantity: 5 }, me.headers);
    await put(a.id, { quantity: 5 }, me.headers);
    assert.equal((await view(me.headers)).lines.find((l) => l.variantId === a.id)!.quantity, 5);

    // The seller changes the price: the cart shows the new one.
    const patch = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${productId}/variants/${b.id}`,
      headers: seller.headers,
      payload: { price: 999 },
    });
    assert.equal(patch.statusCode, 200, patch.body);
    cart = await view(me.headers);
    assert.equal(cart.lines.find((l) => l.variantId === b.id)!.unitPrice!.amount, 999);
    assert.equal(cart.totals[0]!.amount, 5 * 1250 + 999);

    assert.deepEqual(await t.app.cart.service.lines(me.id), [
      { variantId: a.id, quantity: 5 },
      { variantId: b.id, quantity: 1 },
    ]);
    assert.deepEqual(await rowsByShard(me.id), { home: 2, elsewhere: 0 });

    res = await t.server.inject({ method: 'DELETE', url: `/api/v1/cart/lines/${a.id}`, headers: me.headers });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json<CartView>().lines.map((l) => l.variantId),
      [b.id],
    );
    res = await t.server.inject({ method: 'DELETE', url: '/api/v1/cart', headers: me.headers });
    assert.equal(res.statusCode, 204);
    assert.deepEqual((await view(me.headers)).lines, []);
  });

  test('deleted, unpublished and sold-out lines are flagged with a reason, kept, and left out of the totals', async () => {
    const me = await signUp('customer');
    const [a] = variants as [Variant];
    const extra = await product('published', 1, 700);
    const soon = extra.variants[0]!;
    await put(a.id, { quantity: 1 }, me.headers);
    await put(soon.id, { quantity: 2 }, me.headers);
    const p = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${extra.id}`,
      headers: seller.headers,
      payload: { status: 'draft' },
    });
    assert.equal(p.statusCode, 200, p.body);
    // A variant the catalog no longer knows (deleted since it was added).
    const gone = newId();
    await sql`insert into cart_lines (owner_id, owner_kind, variant_id, quantity) values (${me.id}, 'account', ${gone}, 1)`.execute(
      t.app.stores.shards.forId(me.id).db,
    );
    // A variant with no stock left.
    const empty = await product('published', 1, 300);
    await t.app.inventory.service.setOnHand(empty.variants[0]!.id, 0);
    await put(empty.variants[0]!.id, { quantity: 1 }, me.headers);

    const cart = await view(me.headers);
    const byId = new Map(cart.lines.map((l) => [l.variantId, l]));
    assert.equal(cart.lines.length, 4);
    assert.deepEqual([byId.get(a.id)!.available, byId.get(a.id)!.reason], [true, null]);
    assert.deepEqual([byId.get(soon.id)!.available, byId.get(soon.id)!.reason], [false, 'variant_unpublished']);
    assert.equal(byId.get(soon.id)!.unitPrice!.amount, 700, 'still shown with what the catalog knows');
    assert.deepEqual(
      [byId.get(gone)!.available, byId.get(gone)!.reason, byId.get(gone)!.unitPrice, byId.get(gone)!.productTitle],
      [false, 'variant_deleted', null, null],
    );
    assert.deepEqual([byId.get(empty.variants[0]!.id)!.available, byId.get(empty.variants[0]!.id)!.reason], [false, 'sold_out']);
    assert.equal(cart.totals[0]!.amount, 1250);
    assert.equal(cart.itemCount, 1);
    assert.deepEqual(
      cart.lines.map((l) => l.availableQuantity),
      cart.lines.map((l) => (l.variantId === empty.variants[0]!.id ? 0 : null)),
      'a number only where the line asks for more than there is',
    );
  });

  test('a line asking for more than is left says so at once: not available, insufficient_stock, and how many there are', async () => {
    const me = await signUp('customer');
    const few = (await product('published', 1, 900)).variants[0]!;
    await t.app.inventory.service.setOnHand(few.id, 3);
    // The answer to the change itself says it (issue 13: 40 of 3 left was `available: true`).
    const res = await put(few.id, { quantity: 40 }, me.headers);
    assert.equal(res.statusCode, 200, res.body);
    const line = res.json<CartView>().lines.find((l) => l.variantId === few.id)!;
    assert.deepEqual(
      {
        available: line.available,
        reason: line.reason,
        availableQuantity: line.availableQuantity,
        quantity: line.quantity,
        stock: line.stock,
      },
      { available: false, reason: 'insufficient_stock', availableQuantity: 3, quantity: 40, stock: 'few_left' },
    );
    assert.equal(res.json<CartView>().itemCount, 0, 'not counted among what can be checked out');

    // Lowered to what is left, the line is whole again; exactly as many as left is fine.
    const fixed = (await put(few.id, { quantity: 3 }, me.headers)).json<CartView>().lines.find((l) => l.variantId === few.id)!;
    assert.deepEqual([fixed.available, fixed.reason, fixed.availableQuantity], [true, null, null]);
    // A sale elsewhere takes one: the cart says 2 at once (this process made the change).
    await t.app.inventory.service.setOnHand(few.id, 2);
    const after = (await view(me.headers)).lines.find((l) => l.variantId === few.id)!;
    assert.deepEqual([after.available, after.reason, after.availableQuantity], [false, 'insufficient_stock', 2]);
  });

  test("the pages' shopper adds on top, refuses sold-out and over-limit adds, counts units, and keeps the guest cookie like the routes", async () => {
    const { shopper } = t.app.cart;
    const cookies: Record<string, string> = {};
    const set: string[] = [];
    const request = { cookies, account: undefined } as unknown as FastifyRequest;
    const reply = {
      setCookie: (name: string, value: string) => {
        set.push(name);
        cookies[name] = value;
        return reply;
      },
      clearCookie: () => reply,
    } as unknown as FastifyReply;
    const [v] = (await product('published', 1, 700)).variants;
    const soldOut = (await product('published', 1, 700)).variants[0]!;
    await t.app.inventory.service.setOnHand(soldOut.id, 0);

    await assert.rejects(shopper.add(request, reply, soldOut.id, 1), { code: 'CART_VARIANT_SOLD_OUT' });
    assert.deepEqual(set, [], 'a refused add starts no guest cart');
    await assert.rejects(shopper.add(request, reply, v!.id, 0), { code: 'CART_INVALID_QUANTITY' });
    await assert.rejects(shopper.add(request, reply, newId(), 1), { code: 'CART_VARIANT_NOT_FOUND' });
    await assert.rejects(shopper.add(request, reply, draftVariant.id, 1), { code: 'CART_VARIANT_UNAVAILABLE' });

    assert.equal((await shopper.add(request, reply, v!.id, 2)).lines[0]!.quantity, 2);
    assert.deepEqual(set, [CART_COOKIE], 'the first add starts a guest cart with its cookie');
    assert.equal((await shopper.add(request, reply, v!.id, 3)).lines[0]!.quantity, 5, 'add puts more on top');
    await assert.rejects(shopper.add(request, reply, v!.id, 46), { code: 'CART_QUANTITY_LIMIT' });
    assert.equal(await shopper.count(request), 5);
    // The JSON route sees the same cart through the same cookie.
    assert.equal((await view(asGuest(cookies[CART_COOKIE]!))).lines[0]!.quantity, 5);
    assert.equal((await shopper.setQuantity(request, reply, v!.id, 1)).lines[0]!.quantity, 1);
    await shopper.remove(request, reply, v!.id);
    assert.deepEqual((await shopper.view(request, reply)).lines, []);
    assert.equal(await shopper.count(request), 0);
    assert.deepEqual(set, [CART_COOKIE], 'the cookie is set once');
  });

  test('a guest cart lives on its own shard through an HttpOnly cookie, and merges into the account at sign-up and log-in', async () => {
    const [a, b, c] = variants as [Variant, Variant, Variant];
    // Reading without a cookie creates nothing.
    const empty = await t.server.inject({ method: 'GET', url: '/api/v1/cart' });
    assert.equal(empty.statusCode, 200);
    assert.equal(guestCookie(empty), undefined);

    let res = await put(a.id, { quantity: 2 });
    assert.equal(res.statusCode, 200, res.body);
    const cookie = guestCookie(res)!;
    assert.ok(cookie, 'a guest cart cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.ok(shardOfId(cookie.value) < 16);
    const guest = asGuest(cookie.value);
    res = await put(b.id, { quantity: 1 }, guest);
    assert.equal(guestCookie(res), undefined, 'the existing guest cart is reused');
    assert.deepEqual(await rowsByShard(cookie.value), { home: 2, elsewhere: 0 });
    assert.equal((await view(guest)).itemCount, 3);

    // Sign up with the guest cookie; the next cart request merges.
    const me = await signUp('customer', guest);
    await put(a.id, { quantity: 49 }, me.headers); // already has a: 49 + 2 is capped at 50
    await put(c.id, { quantity: 1 }, me.headers);
    res = await t.server.inject({ method: 'GET', url: '/api/v1/cart', headers: { ...me.headers, ...guest } });
    assert.equal(res.statusCode, 200);
    const merged = res.json<CartView>();
    assert.deepEqual(
      merged.lines.map((l) => [l.variantId, l.quantity]).sort(),
      [
        [a.id, 50],
        [b.id, 1],
        [c.id, 1],
      ].sort(),
    );
    const cleared = guestCookie(res)!;
    assert.equal(cleared.value, '');
    assert.ok(cleared.expires && cleared.expires.getTime() < Date.now(), 'the guest cookie is cleared');
    assert.deepEqual(await rowsByShard(cookie.value), { home: 0, elsewhere: 0 }, 'the guest cart is gone');

    // Presenting the stale cookie again merges nothing twice.
    res = await t.server.inject({ method: 'GET', url: '/api/v1/cart', headers: { ...me.headers, ...guest } });
    assert.deepEqual(
      res.json<CartView>().lines.map((l) => l.quantity),
      merged.lines.map((l) => l.quantity),
    );

    // A guest who logs in (rather than signs up) merges the same way, with the new session's cookie.
    const g2 = guestCookie(await put(c.id, { quantity: 3 }))!;
    const login = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: asGuest(g2.value),
      payload: { email: me.email, password: 'correct horse battery' },
    });
    assert.equal(login.statusCode, 200, login.body);
    const session = login.cookies.find((x) => x.name === 'atelier_session')!.value;
    const after = await t.server.inject({
      method: 'GET',
      url: '/api/v1/cart',
      headers: { cookie: `atelier_session=${session}; ${CART_COOKIE}=${g2.value}` },
    });
    assert.equal(after.json<CartView>().lines.find((l) => l.variantId === c.id)!.quantity, 4);
    assert.deepEqual(await rowsByShard(g2.value), { home: 0, elsewhere: 0 });
  });

  test('bad input is refused with its code and field, and writes nothing (no row, no cookie)', async () => {
    const me = await signUp('customer');
    const [a] = variants as [Variant];
    const before = await totalRows();
    const cases: Array<[string, unknown, number, string, string?]> = [
      [a.id, { quantity: 0 }, 400, 'INVALID_FIELD', 'body.quantity'],
      [a.id, { quantity: -1 }, 400, 'INVALID_FIELD', 'body.quantity'],
      [a.id, { quantity: 51 }, 400, 'INVALID_FIELD', 'body.quantity'],
      [a.id, { quantity: 1.5 }, 400, 'INVALID_FIELD', 'body.quantity'],
      [a.id, { quantity: '2' }, 400, 'INVALID_FIELD', 'body.quantity'],
      [a.id, {}, 400, 'MISSING_FIELD', 'body.quantity'],
      [a.id, { quantity: 1, price: 1 }, 400, 'UNKNOWN_FIELD', 'body.price'],
      ['not-a-uuid', { quantity: 1 }, 400, 'INVALID_FIELD', 'params.variantId'],
      [newId(), { quantity: 1 }, 404, 'CART_VARIANT_NOT_FOUND', 'params.variantId'],
      [draftVariant.id, { quantity: 1 }, 422, 'CART_VARIANT_UNAVAILABLE', 'params.variantId'],
    ];
    for (const [id, body, status, code, field] of cases) {
      assertError(await put(id, body, me.headers), status, code, field);
      const anon = await put(id, body);
      assertError(anon, status, code, field);
      assert.equal(guestCookie(anon), undefined, `no guest cart minted for ${code}`);
    }
    const bad = await t.server.inject({ method: 'DELETE', url: '/api/v1/cart/lines/1234', headers: me.headers });
    assertError(bad, 400, 'INVALID_FIELD', 'params.variantId');
    assert.equal(await totalRows(), before);
  });

  test('a cart holds at most MAX_CART_LINES lines, also under concurrent adds', async () => {
    const me = await signUp('customer');
    const many = await product('published', 50, 100);
    const more = await product('published', 5, 100);
    for (const v of many.variants.slice(0, MAX_CART_LINES - 2))
      assert.equal((await put(v.id, { quantity: 1 }, me.headers)).statusCode, 200);
    // Five different new variants at once for two free places: exactly two get in.
    const results = await Promise.all(more.variants.map((v) => put(v.id, { quantity: 1 }, me.headers)));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 200, 409, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) assertError(r, 409, 'CART_FULL', 'params.variantId');
    assert.equal((await t.app.cart.service.lines(me.id)).length, MAX_CART_LINES);
    // A full cart still changes quantities of what it holds.
    assert.equal((await put(many.variants[0]!.id, { quantity: 7 }, me.headers)).statusCode, 200);
  });

  test('a cart one line short of full takes exactly one of many new lines racing in; the others get CART_FULL', async () => {
    const me = await signUp('customer');
    const many = await product('published', MAX_CART_LINES - 1, 100);
    const racing = await product('published', 12, 100);
    for (const v of many.variants) assert.equal((await put(v.id, { quantity: 1 }, me.headers)).statusCode, 200);
    const results = await Promise.all(racing.variants.map((v) => put(v.id, { quantity: 1 }, me.headers)));
    assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
    for (const r of results.filter((x) => x.statusCode !== 200)) assertError(r, 409, 'CART_FULL', 'params.variantId');
    const won = results.find((r) => r.statusCode === 200)!.json<CartView>();
    assert.equal(won.lines.length, MAX_CART_LINES);
    assert.equal((await t.app.cart.service.lines(me.id)).length, MAX_CART_LINES);
  });

  test('lines racing into an empty cart start it once: one cart.started, whichever line wins', async () => {
    const me = await signUp('customer');
    const many = await product('published', 6, 100);
    const results = await Promise.all(many.variants.map((v) => put(v.id, { quantity: 1 }, me.headers)));
    assert.deepEqual(
      results.map((r) => r.statusCode),
      many.variants.map(() => 200),
    );
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from platform_event_log
      where type = 'cart.started' and payload->>'ownerId' = ${me.id}`.execute(t.app.stores.shards.forId(me.id).db);
    assert.equal(rows[0]!.n, 1);
    // Each answer is the cart as its own change left it: its line, and the lines before it.
    for (const r of results) {
      const lines = r.json<CartView>().lines;
      assert.ok(lines.length >= 1 && lines.length <= many.variants.length, r.body);
      assert.ok(lines.every((l) => l.available && l.unitPrice?.amount === 100 + many.variants.findIndex((v) => v.id === l.variantId)));
    }
    assert.equal(results.filter((r) => r.json<CartView>().lines.length === many.variants.length).length, 1);
    // A change to a cart that holds more than the line changed answers what a read of the cart shows.
    const again = await put(many.variants[2]!.id, { quantity: 4 }, me.headers);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json<CartView>(), await view(me.headers));
    // Only a line into an empty cart starts one.
    const { rows: after } = await sql<{ n: number }>`select count(*)::int as n from platform_event_log
      where type = 'cart.started' and payload->>'ownerId' = ${me.id}`.execute(t.app.stores.shards.forId(me.id).db);
    assert.equal(after[0]!.n, 1);
  });

  test('carts are per owner: another customer, or a guest cookie naming an account, sees and changes nothing', async () => {
    const alice = await signUp('customer');
    const bob = await signUp('customer');
    const [a, b] = variants as [Variant, Variant];
    await put(a.id, { quantity: 3 }, alice.headers);
    assert.deepEqual((await view(bob.headers)).lines, []);
    // A forged guest cookie carrying Alice's account id names an (empty) guest cart, not hers.
    assert.deepEqual((await view(asGuest(alice.id))).lines, []);
    assert.equal((await put(b.id, { quantity: 1 }, asGuest(alice.id))).statusCode, 200);
    await t.server.inject({ method: 'DELETE', url: '/api/v1/cart', headers: asGuest(alice.id) });
    assert.deepEqual(await t.app.cart.service.lines(alice.id), [{ variantId: a.id, quantity: 3 }]);
    // Bob presenting that cookie merges only the guest lines, never Alice's.
    await put(b.id, { quantity: 1 }, asGuest(alice.id));
    await view({ ...bob.headers, ...asGuest(alice.id) });
    assert.deepEqual(await t.app.cart.service.lines(bob.id), [{ variantId: b.id, quantity: 1 }]);
    assert.deepEqual(await t.app.cart.service.lines(alice.id), [{ variantId: a.id, quantity: 3 }]);
    // A cookie that is not an id we mint is ignored.
    assert.deepEqual((await view(asGuest('garbage'))).lines, []);
    assert.deepEqual((await view(asGuest(newCustomerId(4096)))).lines, []);
  });

  test('removeLinesSql empties what checkout bought inside the caller transaction, and rolls back with it', async () => {
    const me = await signUp('customer');
    const [a, b] = variants as [Variant, Variant];
    await put(a.id, { quantity: 1 }, me.headers);
    await put(b.id, { quantity: 2 }, me.headers);
    const db = t.app.stores.shards.forId(me.id).db;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await t.app.cart.service.removeLinesSql(me.id, [a.id]).execute(trx);
        throw new Error('order write failed');
      }),
    );
    assert.equal((await t.app.cart.service.lines(me.id)).length, 2);
    await db.transaction().execute((trx) => t.app.cart.service.removeLinesSql(me.id, [a.id]).execute(trx));
    assert.deepEqual(await t.app.cart.service.lines(me.id), [{ variantId: b.id, quantity: 2 }]);
  });
});
