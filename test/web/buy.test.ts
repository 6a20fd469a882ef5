import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen, openVisitor, type Visitor } from '../support/browser.ts';
import { signUp, type Actor } from '../support/accounts.ts';
import { seedDemo } from '../../src/app/seed.ts';
import { CART_COOKIE } from '../../src/modules/cart/index.ts';
import type { ProductImage } from '../../src/modules/catalog/index.ts';

type Made = { id: string; variants: Array<{ id: string; options: Record<string, string> }> };

/** The product page and the cart: what a shopper sees and does, with and without JavaScript. */
describe('buying: product page and cart', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser | null = null;
  let seller: Actor;
  let pictures: ReadonlyArray<ReadonlyArray<ProductImage>> = [];
  let made = 0;

  /** A published product of the test shop, with stock per variant and a demo product's pictures. */
  async function product(
    title: string,
    variants: Array<{ options: Record<string, string>; price: number; stock: number }>,
    status: 'published' | 'draft' = 'published',
  ): Promise<Made> {
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: seller.headers,
      payload: {
        title,
        description: 'Thrown on the wheel and glazed by hand.\n\nEach one is a little different.',
        status,
        variants: variants.map((v) => ({ options: v.options, price: v.price })),
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json<Made>();
    for (const [i, v] of body.variants.entries()) {
      const stock = variants[i]!.stock;
      if (stock > 0) await t.app.inventory.service.restock(v.id, stock);
    }
    const images = pictures[made++ % Math.max(1, pictures.length)];
    if (images) await t.app.catalog.service.setProductImages(body.id, images);
    return body;
  }

  /** Posts a page form as a same-site browser would (Origin of this site). */
  const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
  const cookieOf = (res: Response) => /atelier_cart=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const apiCart = async (guest: string) =>
    (await t.server.inject({ method: 'GET', url: '/api/v1/cart', headers: { cookie: `${CART_COOKIE}=${guest}` } })).json<{
      lines: Array<{ variantId: string; quantity: number }>;
    }>();

  before(async () => {
    t = await createTestApp();
    base = await listen(t.server);
    await seedDemo(t.app, { products: 6, onlyIfEmpty: false, progress: false });
    const ids = await t.app.catalog.service.listProductIds(null, 10);
    pictures = (await t.app.catalog.service.getProducts(ids)).map((p) => p.images).filter((i) => i.length > 0);
    seller = await signUp(t.server, 'seller');
    const shop = await t.server.inject({
      method: 'POST',
      url: '/api/v1/shops',
      headers: seller.headers,
      payload: { slug: `clay-${randomUUID().slice(0, 8)}`, name: 'Clay and Co', description: 'A small pottery by the sea.' },
    });
    assert.equal(shop.statusCode, 201, shop.body);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function visitor(ctx: Parameters<typeof launchBrowser>[0], suite: string, js = true): Promise<Visitor | null> {
    browser ??= await launchBrowser(ctx);
    if (!browser) return null;
    const v = await openVisitor(browser, base, suite, { javaScriptEnabled: js });
    v.page.setDefaultTimeout(15_000);
    return v;
  }

  test('the product page is public and cacheable: ETag, 304, the same HTML whatever the visitor has in the cart', async () => {
    const p = await product('Speckled stoneware mug', [
      { options: { size: 'small' }, price: 1800, stock: 20 },
      { options: { size: 'large' }, price: 2400, stock: 3 },
    ]);
    const first = await fetch(`${base}/products/${p.id}`);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('cache-control')!, /^public, max-age=0, s-maxage=\d+, stale-while-revalidate=\d+$/);
    const etag = first.headers.get('etag')!;
    const html = await first.text();
    assert.equal((await fetch(`${base}/products/${p.id}`, { headers: { 'if-none-match': etag } })).status, 304);

    // A visitor with a cart (and a signed-in customer) gets the very same bytes: nothing personal.
    const added = await postForm('/cart/lines', { variantId: p.variants[0]!.id, quantity: '2', productId: p.id });
    assert.equal(added.status, 303);
    const guest = cookieOf(added)!;
    const customer = await signUp(t.server, 'customer');
    for (const headers of [{ cookie: `${CART_COOKIE}=${guest}` }, customer.headers]) {
      const again = await fetch(`${base}/products/${p.id}`, { headers });
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(await again.text(), html);
    }
    assert.doesNotMatch(html, /cart-count/);

    // Price, coarse stock, shop link, both variants, the form.
    assert.match(html, /<h1 id="product-title">Speckled stoneware mug<\/h1>/);
    assert.match(html, /\$18\.00/);
    assert.match(html, /In stock/);
    assert.match(html, /href="\/shops\/clay-/);
    assert.match(html, /<form id="buy" class="buy-form" method="post" action="\/cart\/lines"/);
    assert.match(html, /<meta property="og:type" content="product"\/>/);
    assert.match(html, /<meta property="product:price:amount" content="18.00"\/>/);
    assert.match(html, /srcset="[^"]+ 200w, [^"]+ 600w, [^"]+ 1600w"/);
    assert.match(html, /<img class="product-picture product-main-picture"[^>]* width="600" height="600" loading="eager"/);

    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, unknown>;
    assert.equal(ld['@type'], 'Product');
    assert.equal(ld.name, 'Speckled stoneware mug');
    assert.deepEqual(ld.brand, { '@type': 'Brand', name: 'Clay and Co' });
    const offers = ld.offers as Array<Record<string, unknown>>;
    assert.deepEqual(
      offers.map((o) => [o.price, o.priceCurrency, o.availability]),
      [
        ['18.00', 'USD', 'https://schema.org/InStock'],
        ['24.00', 'USD', 'https://schema.org/LimitedAvailability'],
      ],
    );
    assert.ok(Array.isArray(ld.image) && (ld.image as unknown[]).length > 0);

    // Stock moves into the page at once: a new version, a new rendering.
    await t.app.inventory.service.setOnHand(p.variants[1]!.id, 0);
    const changed = await fetch(`${base}/products/${p.id}`);
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.match(await changed.text(), /https:\/\/schema.org\/OutOfStock/);
  });

  test('an unknown, malformed or draft product is the site’s 404 page', async () => {
    const draft = await product('Unfinished bowl', [{ options: {}, price: 1000, stock: 5 }], 'draft');
    for (const id of [randomUUID(), 'not-an-id', draft.id]) {
      const res = await fetch(`${base}/products/${id}`);
      assert.equal(res.status, 404, id);
      assert.match(await res.text(), /<h1>Page not found<\/h1>/);
    }
  });

  test('a sold-out product cannot be bought: the button is disabled and a direct post is refused with a message', async () => {
    const p = await product('Sold-out jug', [{ options: { glaze: 'celadon' }, price: 3200, stock: 0 }]);
    const html = await (await fetch(`${base}/products/${p.id}`)).text();
    assert.match(html, /<button type="submit" class="button add-button" disabled/);
    assert.match(html, /Sold out/);

    const page = await postForm('/cart/lines', { variantId: p.variants[0]!.id, quantity: '1', productId: p.id });
    assert.equal(page.status, 409);
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.match(await page.text(), /Sorry, this item is sold out/);
    assert.equal(cookieOf(page), undefined, 'no cart was started');

    const json = await postForm('/cart/lines', { variantId: p.variants[0]!.id, quantity: '1' }, { accept: 'application/json' });
    assert.equal(json.status, 409);
    assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'CART_VARIANT_SOLD_OUT');
  });

  test('a cross-site post to /cart/lines is refused 403 and adds nothing', async () => {
    const p = await product('Linen tea towel', [{ options: {}, price: 1200, stock: 10 }]);
    const mine = await postForm('/cart/lines', { variantId: p.variants[0]!.id, quantity: '1', productId: p.id });
    const guest = cookieOf(mine)!;
    const forged = await fetch(`${base}/cart/lines`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        origin: 'http://evil.example',
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `${CART_COOKIE}=${guest}`,
      },
      body: new URLSearchParams({ variantId: p.variants[0]!.id, quantity: '5' }),
    });
    assert.equal(forged.status, 403);
    assert.equal(cookieOf(forged), undefined);
    assert.deepEqual(
      (await apiCart(guest)).lines.map((l) => l.quantity),
      [1],
    );
    const change = await fetch(`${base}/cart/lines/${p.variants[0]!.id}`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded', cookie: `${CART_COOKIE}=${guest}` },
      body: new URLSearchParams({ action: 'remove' }),
    });
    assert.equal(change.status, 403);
    assert.equal((await apiCart(guest)).lines.length, 1);
  });

  test('bad input gets a message on the page, never a 500', async () => {
    const p = await product('Oak spoon', [{ options: {}, price: 900, stock: 10 }]);
    const zero = await postForm('/cart/lines', { variantId: p.variants[0]!.id, quantity: 'lots', productId: p.id });
    assert.equal(zero.status, 400);
    const html = await zero.text();
    assert.match(html, /There is a problem/);
    assert.match(html, /<a href="#quantity">Enter a quantity from 1 to 50<\/a>/);
    const unknown = await postForm('/cart/lines', { variantId: 'nope', quantity: '1' });
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /No such product variant/);
    const guest = cookieOf(await postForm('/cart/lines', { variantId: p.variants[0]!.id, quantity: '1' }))!;
    const line = await postForm(`/cart/lines/not-a-variant`, { action: 'remove' }, { cookie: `${CART_COOKIE}=${guest}` });
    assert.equal(line.status, 404);
    // A quantity the cart refuses shows the cart with the message, linked to the line's field.
    const many = await postForm(
      `/cart/lines/${p.variants[0]!.id}`,
      { quantity: '99', action: 'update' },
      { cookie: `${CART_COOKIE}=${guest}` },
    );
    assert.equal(many.status, 400);
    assert.equal(many.headers.get('cache-control'), 'private, no-store');
    assert.match(await many.text(), new RegExp(`<a href="#quantity-${p.variants[0]!.id}">Enter a quantity from 1 to 50</a>`));
  });

  test('with JavaScript: choose a variant, add without a reload, the header count updates; change the quantity and remove in the cart', async (ctx) => {
    const p = await product('Indigo shibori scarf', [
      { options: { colour: 'indigo' }, price: 4500, stock: 20 },
      { options: { colour: 'rust' }, price: 4800, stock: 2 },
      { options: { colour: 'moss' }, price: 4800, stock: 0 },
    ]);
    const v = await visitor(ctx, 'buy-js');
    if (!v) return;
    const summary = v.page.waitForResponse((r) => r.url().endsWith('/session-summary'));
    await v.visit(`/products/${p.id}`, 'product');
    await summary;
    assert.equal(await v.page.locator('.product-price').textContent(), 'US$45.00');
    assert.equal(await v.page.getByLabel(/moss/).isDisabled(), true, 'a sold-out variant cannot be chosen');
    await v.page.getByLabel(/rust/).check();
    assert.equal(await v.page.locator('.product-price').textContent(), 'US$48.00');
    assert.equal(await v.page.locator('#stock-status').textContent(), 'Only a few left');
    await v.page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await v.page.getByLabel('Quantity').fill('2');
    await v.page.getByRole('button', { name: 'Add to cart' }).click();
    await v.page.getByRole('status').filter({ hasText: 'Added to your cart' }).waitFor();
    await v.page.locator('.cart-count').filter({ hasText: '2' }).waitFor();
    assert.equal(await v.page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload');
    assert.equal(new URL(v.page.url()).pathname, `/products/${p.id}`);
    await v.look('product-added');

    await v.page.getByRole('link', { name: 'View your cart' }).click();
    await v.page.waitForURL(/\/cart$/);
    await v.look('cart');
    assert.match((await v.page.locator('.cart-line-title').textContent())!, /Indigo shibori scarf/);
    assert.match((await v.page.locator('.cart-line-options').textContent())!, /colour: rust/);
    await v.page.getByLabel('Quantity of Indigo shibori scarf').fill('1');
    await v.page.getByRole('button', { name: 'Update Indigo shibori scarf' }).click();
    await v.page.waitForURL(/\/cart$/);
    assert.equal(await v.page.getByLabel('Quantity of Indigo shibori scarf').inputValue(), '1');
    assert.match((await v.page.locator('.cart-summary').textContent())!, /US\$48\.00/);
    await v.page.getByRole('button', { name: 'Remove Indigo shibori scarf' }).click();
    await v.page.waitForURL(/\/cart$/);
    await v.page.getByText('Your cart is empty.').waitFor();
    await v.look('cart-empty');
    // The browser's own favicon request is the frame's 404 (no /favicon.ico yet), not this page's.
    assert.deepEqual(
      v.problems.filter((p) => !p.includes('404')),
      [],
    );
    await v.context.close();
  });

  test('without JavaScript: the buy form posts and lands in the cart; quantity and remove are forms too', async (ctx) => {
    const p = await product('Walnut serving board', [
      { options: { size: 'small' }, price: 3900, stock: 10 },
      { options: { size: 'large' }, price: 5900, stock: 10 },
    ]);
    const v = await visitor(ctx, 'buy-no-js', false);
    if (!v) return;
    await v.visit(`/products/${p.id}`, 'product');
    await v.page.getByLabel(/large/).check();
    await v.page.getByRole('button', { name: 'Add to cart' }).click();
    await v.page.waitForURL(/\/cart\?added=/);
    await v.look('cart-added');
    assert.match((await v.page.locator('.notice.ok').textContent())!, /Added Walnut serving board/);
    assert.match((await v.page.locator('.cart-line-options').textContent())!, /size: large/);
    await v.page.getByLabel('Quantity of Walnut serving board').fill('3');
    await v.page.getByRole('button', { name: 'Update Walnut serving board' }).click();
    await v.page.waitForURL(/\/cart$/);
    assert.match((await v.page.locator('.cart-summary').textContent())!, /US\$177\.00/);
    await v.page.getByRole('button', { name: 'Remove Walnut serving board' }).click();
    await v.page.getByText('Your cart is empty.').waitFor();
    await v.context.close();
  });

  test('the cart says at once when a line has more than is left, or its product went away', async (ctx) => {
    const few = await product('Hand-bound notebook', [{ options: { paper: 'cream' }, price: 1600, stock: 10 }]);
    const gone = await product('Willow basket', [{ options: {}, price: 5200, stock: 10 }]);
    const ok = await product('Beeswax candle', [{ options: {}, price: 800, stock: 10 }]);
    const first = await postForm('/cart/lines', { variantId: few.variants[0]!.id, quantity: '5' });
    const guest = cookieOf(first)!;
    const cookie = { cookie: `${CART_COOKIE}=${guest}` };
    await postForm('/cart/lines', { variantId: gone.variants[0]!.id, quantity: '1' }, cookie);
    await postForm('/cart/lines', { variantId: ok.variants[0]!.id, quantity: '2' }, cookie);
    await t.app.inventory.service.setOnHand(few.variants[0]!.id, 2);
    const unpublish = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${gone.id}`,
      headers: seller.headers,
      payload: { status: 'draft' },
    });
    assert.equal(unpublish.statusCode, 200, unpublish.body);

    const res = await fetch(`${base}/cart`, { headers: cookie });
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const html = await res.text();
    assert.match(html, /Only 2 left: lower the quantity/);
    assert.match(html, /No longer available: remove it/);
    assert.match(html, /<meta name="robots" content="noindex"\/>/);
    assert.match(html, /href="\/checkout"/);
    // Totals from the server: only the candle counts.
    assert.match(html, /<dd class="price">US\$16\.00<\/dd>/);

    const v = await visitor(ctx, 'buy-cart-problems');
    if (!v) return;
    await v.context.addCookies([{ name: CART_COOKIE, value: guest, url: base }]);
    await v.visit('/cart', 'cart-problems');
    await v.page.getByText('Only 2 left: lower the quantity').waitFor();
    await v.context.close();
  });

  test('a product title with <script> shows as text on the product page and in the cart', async (ctx) => {
    const title = '<script>alert(1)</script> Raku bowl';
    const p = await product(title, [{ options: { finish: '<b>crackle</b>' }, price: 6500, stock: 4 }]);
    const html = await (await fetch(`${base}/products/${p.id}`)).text();
    assert.match(html, /&lt;script>alert\(1\)&lt;\/script> Raku bowl/);
    assert.doesNotMatch(html, /<script>alert/);

    const v = await visitor(ctx, 'buy-escaping');
    if (!v) return;
    const dialogs: string[] = [];
    v.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await v.visit(`/products/${p.id}`, 'product');
    assert.equal(await v.page.locator('h1').textContent(), title);
    assert.equal(await v.page.locator('.variant-single').textContent(), 'finish: <b>crackle</b>');
    const scripts = await v.page.evaluate(() => [...document.querySelectorAll('script')].map((s) => s.textContent ?? ''));
    assert.ok(!scripts.some((s) => s.includes('alert(1)') && !s.includes('"@context"')), 'no such script element');
    await v.page.getByRole('button', { name: 'Add to cart' }).click();
    await v.page.getByRole('status').filter({ hasText: 'Added to your cart' }).waitFor();
    const cart = await v.page.request.get(`${base}/cart`);
    assert.match(await cart.text(), /&lt;script>alert\(1\)&lt;\/script> Raku bowl/);
    await v.visit('/cart', 'cart');
    assert.equal(await v.page.locator('.cart-line-title').textContent(), title);
    assert.equal(await v.page.evaluate(() => document.querySelectorAll('main script, main b').length), 0);
    assert.deepEqual(dialogs, []);
    await v.context.close();
  });
});
