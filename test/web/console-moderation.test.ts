import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { signUp, type Actor } from '../support/accounts.ts';
import { launchBrowser, listen, openVisitor, type Visitor } from '../support/browser.ts';
import { createProduct, signUpAdmin } from '../../src/modules/catalog/catalog.test-support.ts';

/**
 * The console's moderation pages (issue 15) with ATELIER_SHOP_APPROVAL=required: role checks and
 * refused input through HTTP, then an operator in Chromium approving, suspending and reinstating
 * a shop (the storefront, search and checkout follow), unpublishing a product with a reason the
 * seller reads, and finding the seller's account; with and without JavaScript, by keyboard, axe clean.
 */
let t: TestApp;
let base: string;
let admin: Actor;

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const cookieOf = (actor: Actor) => ({ cookie: `atelier_session=${actor.token}` });
const sameSite = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };

/** A seller with a pending shop holding one published, stocked product. */
async function pendingListing(title: string) {
  const seller = await signUp(t.server, 'seller');
  const slug = unique('shop');
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/shops',
    headers: seller.headers,
    payload: { slug, name: `Kiln ${slug}`, story: 'Stoneware', shippingPolicy: 'Ships in 3 days', returnsPolicy: '30 days' },
  });
  assert.equal(res.statusCode, 201, res.body);
  const shop = res.json<{ id: string; slug: string; name: string; status: string }>();
  assert.equal(shop.status, 'pending');
  const product = await createProduct(t.server, seller, { title });
  const variantId = product.variants[0]!.id;
  await t.app.inventory.service.restock(variantId, 10);
  return { seller, shop, product, variantId };
}

before(async () => {
  t = await createTestApp({ ATELIER_SHOP_APPROVAL: 'required' });
  base = await listen(t.server);
  admin = await signUpAdmin(t);
});
after(() => t.close());

describe('console moderation: who may, and refused input', () => {
  const page = (url: string, headers: Record<string, string> = {}) =>
    t.server.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });
  const postForm = (url: string, actor: Actor, form: Record<string, string> = {}) =>
    t.server.inject({ method: 'POST', url, headers: { ...sameSite, ...cookieOf(actor) }, payload: new URLSearchParams(form).toString() });

  test('signed out: sent to sign in and back; a seller or a customer gets the 403 page', async () => {
    for (const url of ['/console/shops', '/console/products', '/console/accounts']) {
      const res = await page(url);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/sign-in?next=${encodeURIComponent(url)}`);
    }
    for (const role of ['seller', 'customer'] as const) {
      const someone = await signUp(t.server, role);
      for (const url of ['/console/shops', '/console/products?q=mug', '/console/accounts']) {
        const res = await page(url, cookieOf(someone));
        assert.equal(res.statusCode, 403, `${role} ${url}`);
        assert.match(res.body, /The console is for operators/);
      }
      const { shop } = await pendingListing(unique('Refused jug'));
      const moved = await postForm(`/console/shops/${shop.id}/approve`, someone);
      assert.equal(moved.statusCode, 403);
      const detail = await t.app.catalog.moderation.shopDetail(shop.id);
      assert.equal(detail!.shop.status, 'pending', 'nothing changed');
    }
  });

  test('an unknown or malformed id is the 404 page', async () => {
    for (const url of [`/console/shops/${crypto.randomUUID()}`, '/console/shops/nope', `/console/accounts/${crypto.randomUUID()}`]) {
      const res = await page(url, cookieOf(admin));
      assert.equal(res.statusCode, 404, url);
      assert.match(res.body, /<h1>Page not found<\/h1>/);
    }
    const moved = await postForm(`/console/shops/${crypto.randomUUID()}/approve`, admin);
    assert.equal(moved.statusCode, 404);
  });

  test('an altered page cursor or an unknown shop is said on the page, never a 500', async () => {
    for (const url of [
      '/console/shops?cursor=nope',
      '/console/accounts?cursor=%25%25',
      '/console/products?q=jug&cursor=nope',
      '/console/products?shop=s&cursor=x',
    ]) {
      const res = await page(url, cookieOf(admin));
      assert.equal(res.statusCode, 400, `${url}: ${res.body.slice(0, 200)}`);
    }
    const unknown = await page('/console/products?shop=no-such-shop', cookieOf(admin));
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /No shop has that web address/);
  });

  test('a blank reason is a field error, a move already made says so (400, 409), a cross-site form is refused', async () => {
    const { shop, product } = await pendingListing(unique('Blank jug'));
    const blank = await postForm(`/console/shops/${shop.id}/suspend`, admin, { reason: '   ' });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /There is a problem/);
    assert.match(blank.body, /<a href="#reason">Enter the reason/);
    assert.match(blank.body, /aria-invalid="true"/);

    const unpublish = await postForm(`/console/products/${product.id}/unpublish`, admin, { reason: '', 'back-q': 'jug' });
    assert.equal(unpublish.statusCode, 400);
    assert.match(unpublish.body, new RegExp(`href="#reason-${product.id}"`));

    assert.equal((await postForm(`/console/shops/${shop.id}/approve`, admin)).statusCode, 303);
    const again = await postForm(`/console/shops/${shop.id}/approve`, admin);
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /Someone got there first/);
    assert.match(again.body, /The shop is active: it cannot be approved/);
    const release = await postForm(`/console/products/${product.id}/release`, admin);
    assert.equal(release.statusCode, 409);
    assert.match(release.body, /The marketplace holds nothing on this product/);

    const forged = await t.server.inject({
      method: 'POST',
      url: `/console/shops/${shop.id}/suspend`,
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded', ...cookieOf(admin) },
      payload: 'reason=gone',
    });
    assert.equal(forged.statusCode, 403);
    assert.equal((await t.app.catalog.moderation.shopDetail(shop.id))!.shop.status, 'active');
  });
});

/** A visitor signed in as the operator (the session cookie of an API log-in). */
async function operator(browser: Browser, suite: string, javaScriptEnabled: boolean): Promise<Visitor> {
  const v = await openVisitor(browser, base, suite, { javaScriptEnabled });
  v.page.setDefaultTimeout(15_000);
  await v.context.addCookies([{ name: 'atelier_session', value: admin.token, url: base }]);
  return v;
}

const status = async (url: string) => (await fetch(`${base}${url}`, { headers: { accept: 'text/html' } })).status;
const searchFinds = async (title: string, id: string) =>
  (await (await fetch(`${base}/search?q=${encodeURIComponent(title)}`)).text()).includes(`/products/${id}`);

async function checkout(customer: Actor) {
  return t.server.inject({
    method: 'POST',
    url: '/api/v1/checkout',
    headers: { ...customer.headers, 'idempotency-key': unique('key') },
    payload: { shippingAddress: { name: 'Bea', line1: '1 Loom Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' } },
  });
}

/** Finds the shop from the list by keyboard: types its name, picks the status with the arrow keys, submits with Enter. */
async function findShopByKeyboard(v: Visitor, name: string) {
  await v.page.goto('/console/shops');
  // Every office page names the person signed in the same way: by name (this page once gave the email).
  assert.equal(await v.page.textContent('.office-who'), 'Signed in as Admin · Storefront · Account');
  await v.page.focus('#q');
  await v.page.keyboard.type(name);
  await v.page.keyboard.press('Tab');
  assert.equal(await v.page.evaluate(() => document.activeElement?.id), 'status');
  await v.page.selectOption('#status', 'pending');
  await v.page.keyboard.press('Tab');
  assert.equal(await v.page.evaluate(() => document.activeElement?.textContent), 'Search shops');
  await v.page.keyboard.press('Enter');
  await v.page.waitForURL(/\/console\/shops\?q=.*&status=pending$/);
  await v.look('shops-found');
  await v.page.getByRole('link', { name }).click();
  await v.page.waitForURL(/\/console\/shops\/[0-9a-f-]{36}$/);
  await v.look('shop-pending');
}

/** Suspends the shop from its page: a blank reason first (the field error), then one typed, by keyboard. */
async function suspendByKeyboard(v: Visitor, reason: string) {
  await v.page.getByRole('button', { name: 'Suspend', exact: true }).click();
  await v.page.waitForSelector('.error-summary');
  await v.look('suspend-blank-reason');
  assert.match((await v.page.textContent('.field.has-error'))!, /Enter the reason/);
  await v.page.getByLabel('Reason', { exact: true }).focus();
  await v.page.keyboard.type(reason);
  await v.page.keyboard.press('Tab');
  assert.equal(await v.page.evaluate(() => document.activeElement?.textContent), 'Suspend');
  await v.page.keyboard.press('Enter');
  await v.page.waitForURL(/\?done=suspended$/);
  await v.look('shop-suspended');
  assert.match((await v.page.textContent('.notice'))!, /left the storefront and search/);
  assert.match((await v.page.textContent('main'))!, new RegExp(`Reason: ${reason}`));
}

// Two browsers at once (different shops): the whole file stays well under its 90 s budget.
describe('console moderation in the browser', { concurrency: 2 }, () => {
  test('approve, suspend (storefront, search and checkout follow), reinstate; unpublish with a reason; find the seller', async (ctx) => {
    const browser = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const title = unique('Ash glaze jug');
      const { seller, shop, product, variantId } = await pendingListing(title);
      const v = await operator(browser, 'console-moderation', true);

      await findShopByKeyboard(v, shop.name);
      assert.equal(await status(`/products/${product.id}`), 404, 'pending: not public');
      await v.page.getByRole('button', { name: 'Approve', exact: true }).click();
      await v.page.waitForURL(/\?done=approved$/);
      await v.look('shop-approved');
      await t.drainJobs();
      assert.equal(await status(`/products/${product.id}`), 200);
      assert.ok(await searchFinds(title, product.id));

      const customer = await signUp(t.server, 'customer');
      const put = await t.server.inject({
        method: 'PUT',
        url: `/api/v1/cart/lines/${variantId}`,
        headers: customer.headers,
        payload: { quantity: 1 },
      });
      assert.equal(put.statusCode, 200, put.body);

      const reason = 'Listings copy another maker’s designs';
      await suspendByKeyboard(v, reason);
      assert.equal(await status(`/products/${product.id}`), 404);
      assert.ok(!(await searchFinds(title, product.id)));
      const refused = await checkout(customer);
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'ORDERS_LINE_UNAVAILABLE');
      const mine = (await t.server.inject({ method: 'GET', url: '/api/v1/seller/shop', headers: seller.headers })).json<{
        status: string;
        statusReason: string;
      }>();
      assert.deepEqual([mine.status, mine.statusReason], ['suspended', reason]);

      await v.page.getByRole('button', { name: 'Reinstate', exact: true }).click();
      await v.page.waitForURL(/\?done=reinstated$/);
      await v.look('shop-reinstated');
      assert.equal(await status(`/products/${product.id}`), 200);
      assert.ok(await searchFinds(title, product.id));
      assert.equal((await checkout(customer)).statusCode, 202);

      await unpublishAndRelease(v, seller, title, product.id);
      await findSeller(v, seller, shop.name);
      // The refused form's page is a 400 on purpose (the browser logs it once); nothing else may fail.
      const refusedForm = (p: string) => p === 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)';
      assert.equal(v.problems.filter(refusedForm).length, 1, v.problems.join('\n'));
      assert.deepEqual(
        v.problems.filter((p) => !refusedForm(p)),
        [],
      );
    } finally {
      await browser.close();
    }
  });

  test('without JavaScript: the plain forms approve a shop and look up products', async (ctx) => {
    const browser = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const title = unique('Nojs bowl');
      const { shop } = await pendingListing(title);
      const v = await operator(browser, 'console-moderation-nojs', false);
      await v.visit(`/console/shops?q=${encodeURIComponent(shop.name)}`, 'shops');
      await v.page.getByRole('link', { name: shop.name }).click();
      await v.page.waitForURL(/\/console\/shops\/[0-9a-f-]{36}$/);
      await v.page.getByRole('button', { name: 'Approve', exact: true }).click();
      await v.page.waitForURL(/\?done=approved$/);
      await v.look('shop-approved');
      await v.visit(`/console/products?shop=${shop.slug}`, 'products-of-shop');
      assert.match((await v.page.textContent('main'))!, new RegExp(title));
      await v.visit('/console/products', 'products-empty');
      await v.visit('/console/accounts?role=admin', 'accounts-admins');
    } finally {
      await browser.close();
    }
  });
});

/** Looks the product up by title, unpublishes it with a reason the seller's API shows, then releases it. */
async function unpublishAndRelease(v: Visitor, seller: Actor, title: string, productId: string) {
  await v.page.goto('/console/products');
  await v.page.fill('#q', title);
  await v.page.press('#q', 'Enter');
  await v.page.waitForURL(/\/console\/products\?q=/);
  await v.look('products-found');
  const reason = 'The photos show another maker’s work';
  await v.page.getByLabel('Reason', { exact: true }).fill(reason);
  await v.page.getByRole('button', { name: 'Unpublish', exact: true }).click();
  await v.page.waitForURL(/done=unpublished/);
  await v.look('product-unpublished');
  assert.match((await v.page.textContent('main'))!, /Held by the marketplace/);
  assert.equal(await status(`/products/${productId}`), 404);
  const theirs = await t.server.inject({ method: 'GET', url: '/api/v1/seller/products', headers: seller.headers });
  const item = theirs.json<{ items: Array<{ id: string; moderationNote: string | null }> }>().items.find((p) => p.id === productId);
  assert.equal(item?.moderationNote, reason, 'the seller reads the reason');

  await v.page.getByRole('button', { name: /^Release/ }).click();
  await v.page.waitForURL(/done=released/);
  assert.match((await v.page.textContent('.notice'))!, /the hold is lifted/);
  assert.match((await v.page.textContent('.moderation-product'))!, /Draft/);
}

/** Finds the seller's account by the start of the email and opens it: the role and the shop. */
async function findSeller(v: Visitor, seller: Actor, shopName: string) {
  const account = await t.app.identity.service.accountDetail(seller.id);
  await v.page.goto('/console/accounts');
  await v.page.fill('#q', account!.email.slice(0, 20));
  await v.page.selectOption('#role', 'seller');
  await v.page.getByRole('button', { name: 'Search accounts' }).click();
  await v.page.waitForURL(/\/console\/accounts\?q=/);
  await v.look('accounts-found');
  await v.page.getByRole('link', { name: account!.email }).click();
  await v.page.waitForURL(/\/console\/accounts\/[0-9a-f-]{36}$/);
  await v.look('account');
  assert.match((await v.page.textContent('main'))!, /Seller/);
  await v.page.getByRole('link', { name: shopName }).click();
  await v.page.waitForURL(/\/console\/shops\//);
}
