import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen, type Visitor } from '../support/browser.ts';
import { mailTo } from '../../src/modules/identity/identity.test-support.ts';
import { signUpAdmin } from '../../src/modules/catalog/catalog.test-support.ts';
import { ADDRESS, checkout, lines, listing, signUpMany } from '../checkout/support.ts';
import { fillAddress, putInCart, searchAndAddToCart, visitor } from './checkout-support.ts';

/**
 * Issue 15's flows end to end in Chromium, as the people who run the marketplace live them: a
 * customer opens a shop in the studio, the operator approves it in the console, the seller lists
 * a product with two variants and a picture, a buyer buys it in the storefront, the seller ships
 * it and refunds one line (emails and the payment provider's records agree); the operator
 * suspends and reinstates the shop (storefront, search, checkout and studio follow), finds both
 * moves in the audit log, and the chain verifies until someone edits it in the database. Every
 * page is screenshotted and checked with axe on the way.
 */
const PASSWORD = 'correct horse battery';
const tag = randomBytes(3).toString('hex');
const SHOP = `Kiln ${tag}`;
const TITLE = `Ash glazed jug ${tag}`;

let t: TestApp;
let base: string;
let browser: Browser | null = null;
let seller: Visitor;
let operator: Visitor;
let sellerEmail: string;
let shopId = '';
let productId = '';

before(async () => {
  t = await createTestApp({ ATELIER_SHOP_APPROVAL: 'required' });
  base = await listen(t.server);
});
after(async () => {
  await browser?.close();
  await t?.close();
});

/** An account made by the identity module, signed in through the sign-in page as a person does. */
async function signedIn(suite: string, role: 'customer' | 'admin'): Promise<{ v: Visitor; email: string }> {
  const email = `${suite}-${tag}@example.test`;
  await t.app.identity.service.createAccount({ email, password: PASSWORD, name: role === 'admin' ? 'Olu Operator' : 'Maya Maker', role });
  const v = await visitor(browser!, base, suite);
  await v.page.goto('/sign-in');
  await v.page.fill('#email', email);
  await v.page.fill('#password', PASSWORD);
  await v.page.click('form[action="/sign-in"] button');
  await v.page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return { v, email };
}

const text = async (page: Page) => (await page.textContent('main')) ?? '';

async function needBrowser(ctx: TestContext): Promise<boolean> {
  browser ??= await launchBrowser(ctx);
  return browser !== null;
}

describe('running a shop and the marketplace from the browser', () => {
  test('a customer opens a shop, the operator approves it, the seller lists a product with two variants and a picture', async (ctx) => {
    if (!(await needBrowser(ctx))) return;
    ({ v: seller, email: sellerEmail } = await signedIn('flow-seller', 'customer'));
    ({ v: operator } = await signedIn('flow-operator', 'admin'));

    // A customer opening the studio is asked to open a shop.
    await seller.page.goto('/studio');
    await seller.page.waitForURL(/\/studio\/start$/);
    await seller.look('start');
    await seller.page.getByLabel('Shop name').fill(SHOP);
    await seller.page.getByLabel('Web address').fill(`kiln-${tag}`);
    await seller.page.getByLabel('Story').fill('Wood-fired pots from a hillside kiln.');
    await seller.page.getByLabel('Shipping policy').fill('Packed in straw, ships in 3 days.');
    await seller.page.getByLabel('Returns policy').fill('Returns within 30 days.');
    await seller.page.getByRole('button', { name: 'Open shop' }).click();
    await seller.page.waitForURL(/\/studio(\?|$)/);
    assert.match(await text(seller.page), /Waiting for approval/);
    await seller.look('waiting-for-approval');
    const account = (await t.app.identity.service.searchAccounts({ q: sellerEmail, limit: 1 })).items[0]!;
    assert.equal(account.role, 'seller');

    // The operator finds the pending shop and approves it.
    await operator.page.goto('/console/shops?status=pending');
    await operator.page.getByRole('link', { name: SHOP }).click();
    await operator.page.waitForURL(/\/console\/shops\/[0-9a-f-]{36}(\?|$)/);
    shopId = /shops\/([0-9a-f-]{36})/.exec(operator.page.url())![1]!;
    await operator.page.getByRole('button', { name: 'Approve' }).click();
    await operator.page.waitForURL(/done=approved/);
    await seller.page.goto('/studio');
    assert.match(await text(seller.page), /\bOpen\b/);

    // The product: two variants priced as money, published, then a picture dropped on the editor.
    await seller.page.goto('/studio/products/new');
    await seller.page.getByLabel('Title').fill(TITLE);
    await seller.page.getByLabel('Description').fill('Thrown on the wheel, glazed with wood ash.');
    await seller.page.getByLabel('Option name').fill('Size');
    await seller.page.getByLabel('Variant 1 value').fill('Small');
    await seller.page.getByLabel('Variant 1 price').fill('18.50');
    await seller.page.getByRole('button', { name: 'Add a variant' }).click();
    await seller.page.getByLabel('Variant 2 value').fill('Large');
    await seller.page.getByLabel('Variant 2 price').fill('24');
    await seller.page.getByRole('button', { name: 'Publish' }).click();
    await seller.page.waitForURL(/\/studio\/products\/[0-9a-f-]{36}/);
    productId = /products\/([0-9a-f-]{36})/.exec(seller.page.url())![1]!;
    const product = (await t.app.catalog.service.getProduct(productId))!;
    assert.equal(product.status, 'published');
    assert.deepEqual(
      product.variants.map((v) => [v.options, v.price.amount]),
      [
        [{ Size: 'Small' }, 1850],
        [{ Size: 'Large' }, 2400],
      ],
    );

    const picture = await sharp({ create: { width: 800, height: 800, channels: 3, background: { r: 160, g: 110, b: 70 } } })
      .png()
      .toBuffer();
    await seller.page.getByLabel('Alt text for new images').fill('A tall jug with a green ash glaze');
    await seller.page.getByLabel('Add images').setInputFiles({ name: 'jug.png', mimeType: 'image/png', buffer: picture });
    // The island polls the image's status: once the processing job has run, it shows Ready.
    await seller.page.getByText('uploaded: processing').waitFor();
    await t.drainJobs();
    await seller.page.getByText('Ready', { exact: true }).waitFor();
    assert.equal(await seller.page.getByLabel('Alt text for image 1').inputValue(), 'A tall jug with a green ash glaze');
    await seller.look('product-with-picture');

    // Stock for both variants.
    await seller.page.goto('/studio/stock');
    for (const variant of product.variants) {
      const units = seller.page.getByLabel(`Units for ${TITLE} (${variant.options.Size})`, { exact: true });
      await units.fill('5');
      await seller.page.locator('form', { has: units }).getByRole('button', { name: 'Restock' }).click();
      await seller.page.waitForURL(new RegExp(`done=restock#units-${variant.id}$`));
    }
    const levels = await seller.context.request.get(`/api/v1/seller/inventory?productId=${productId}`);
    assert.equal(levels.status(), 200, await levels.text());
    assert.deepEqual(
      ((await levels.json()) as { variants: Array<{ available: number }> }).variants.map((v) => v.available),
      [5, 5],
    );
  });

  test('a buyer buys both variants; the seller ships with tracking and refunds one line: emails and provider agree', async (ctx) => {
    if (!(await needBrowser(ctx))) return;
    assert.ok(productId, 'the first flow listed the product');
    const product = await t.app.catalog.service.getProduct(productId);
    const large = product!.variants[1];
    const { v: buyer, email: buyerEmail } = await signedIn('flow-buyer', 'customer');
    await searchAndAddToCart(t, buyer, TITLE, 1, true);
    await putInCart(buyer, large!.id, 1);
    await buyer.page.goto('/checkout');
    await fillAddress(buyer);
    await buyer.page.getByRole('button', { name: 'Place order' }).click();
    await buyer.page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}\?placed=1$/);
    await t.drainJobs();
    await buyer.page.waitForSelector('[data-status="paid"]', { timeout: 15_000 });
    await buyer.context.close();

    // The seller's orders: open it, ship it with a carrier and tracking number.
    await seller.page.goto('/studio/orders');
    await seller.page.locator('main table a').first().click();
    await seller.page.waitForURL(/\/studio\/orders\/[0-9a-f-]{36}(\?|$)/);
    const subOrderId = /orders\/([0-9a-f-]{36})/.exec(seller.page.url())![1]!;
    assert.match(await text(seller.page), /3 Kiln Row/);
    await seller.page.getByRole('button', { name: 'Mark fulfilled' }).click();
    await seller.page.waitForURL(/done=fulfilled/);
    await seller.page.getByLabel('Carrier').fill('royal-mail');
    await seller.page.getByLabel('Tracking number').fill('RM123456789GB');
    await seller.page.getByRole('button', { name: 'Mark shipped' }).click();
    await seller.page.waitForURL(/done=shipped/);
    await seller.look('shipped');
    const shipped = (await mailTo(t, buyerEmail)).find((m) => /shipped/i.test(m.subject));
    assert.ok(shipped, 'the buyer is told the order shipped');
    assert.match(shipped.text, /RM123456789GB/);
    assert.match(shipped.text, /royalmail\.com/);

    // Refund the large jug (one line, 24.00), after shipping: a return.
    await seller.page.getByLabel(new RegExp(`^Refund quantity of ${TITLE}.*Large`)).fill('1');
    await seller.page.getByRole('button', { name: 'Refund lines' }).click();
    await seller.page.waitForURL(/done=refunded/);
    await seller.look('refunded');
    const refunded = (await mailTo(t, buyerEmail)).find((m) => /refund/i.test(m.subject));
    assert.ok(refunded, 'the buyer is told of the refund');
    assert.match(refunded.text, /24\.00 USD/);
    const provider = t.provider.refunds().filter((r) => r.idempotencyKey.startsWith(`refund:${subOrderId}`));
    assert.deepEqual(
      provider.map((r) => r.amount),
      [2400],
    );
  });

  test('the operator suspends the shop: its product leaves the storefront, search and checkout, the seller sees why; reinstated, it returns', async (ctx) => {
    if (!(await needBrowser(ctx))) return;
    assert.ok(shopId, 'the first flow opened the shop');
    const product = await t.app.catalog.service.getProduct(productId);
    // A shopper with the small jug in the cart, signed in, about to check out.
    const shopper = await signedIn('flow-shopper', 'customer').then((s) => s.v);
    await putInCart(shopper, product!.variants[0]!.id, 1);

    await operator.page.goto(`/console/shops/${shopId}`);
    await operator.page.getByLabel('Reason').fill('Listings reported as mass-produced');
    await operator.page.getByRole('button', { name: 'Suspend' }).click();
    await operator.page.waitForURL(/done=suspended/);
    await operator.look('shop-suspended');

    assert.equal((await fetch(`${base}/products/${productId}`)).status, 404);
    await t.drainJobs();
    const search = await fetch(`${base}/search?q=${encodeURIComponent(TITLE)}`);
    assert.doesNotMatch(await search.text(), new RegExp(`href="/products/${productId}"`));
    await seller.page.goto('/studio');
    assert.match(await text(seller.page), /Suspended/);
    assert.match(await text(seller.page), /Listings reported as mass-produced/);

    // The cart holding it cannot check out: the page names the line and places nothing.
    await shopper.page.goto('/checkout');
    await fillAddress(shopper);
    await shopper.page.getByRole('button', { name: 'Place order' }).click();
    await shopper.page.waitForLoadState('load');
    assert.match(await text(shopper.page), new RegExp(`${TITLE}.* is no longer for sale`));
    assert.doesNotMatch(shopper.page.url(), /placed=1/);
    await shopper.look('checkout-refused');
    await shopper.context.close();

    await operator.page.getByRole('button', { name: 'Reinstate' }).click();
    await operator.page.waitForURL(/done=reinstated/);
    assert.equal((await fetch(`${base}/products/${productId}`)).status, 200);
    await t.drainJobs();
    assert.match(await (await fetch(`${base}/search?q=${encodeURIComponent(TITLE)}`)).text(), new RegExp(`href="/products/${productId}"`));
  });

  test('the operator finds both moves in the audit log; the chain verifies, and once edited in the database it does not', async (ctx) => {
    if (!(await needBrowser(ctx))) return;
    assert.ok(shopId, 'the first flow opened the shop');
    await t.drainJobs();
    await operator.page.goto('/console/audit');
    await operator.page.getByLabel('Target id').fill(shopId);
    await operator.page.getByLabel('Target id').press('Enter');
    await operator.page.waitForURL(new RegExp(`targetId=${shopId}`));
    const entries = await text(operator.page);
    assert.match(entries, /shop\.suspended|shop suspended/i);
    assert.match(entries, /shop\.reinstated|shop reinstated/i);
    assert.match(entries, /Listings reported as mass-produced/);

    await operator.page.getByRole('button', { name: 'Verify the chain' }).click();
    await operator.page.waitForURL(/\/console\/audit\/verify/);
    assert.match(await text(operator.page), /The chain verifies/);

    // Someone with the database's superuser rewrites the suspension's reason.
    const client = new pg.Client({ connectionString: t.env.CATALOG_DATABASE_URL });
    await client.connect();
    let seq: string;
    try {
      await client.query('set session_replication_role = replica');
      const row = await client.query<{ seq: string }>(
        `select seq::text as seq from audit_log where target_id = $1 and action = 'shop.suspended' order by seq desc limit 1`,
        [shopId],
      );
      seq = row.rows[0]!.seq;
      await client.query(`update audit_log set reason = 'Routine check' where seq = $1`, [seq]);
    } finally {
      await client.end();
    }
    await operator.page.goto('/console/audit');
    await operator.page.getByRole('button', { name: 'Verify the chain' }).click();
    await operator.page.waitForURL(/\/console\/audit\/verify/);
    assert.match(await text(operator.page), new RegExp(`The chain is broken at entry ${seq}\\b`));
    await operator.look('chain-broken');
  });

  test('role checks: a seller cannot open the console, nor another shop’s order in the studio', async (ctx) => {
    if (!(await needBrowser(ctx))) return;
    assert.ok(shopId, 'the first flow opened the shop');
    const refused = await seller.page.goto('/console');
    assert.equal(refused?.status(), 403);
    await seller.look('console-refused');
    // Another shop's real, paid order: not found in the studio's pages and the API alike.
    const other = await listing(t, [{ price: 1500, stock: 3 }]);
    const admin = await signUpAdmin(t);
    await t.server.inject({ method: 'POST', url: `/api/v1/admin/shops/${other.shopId}/approve`, headers: admin.headers });
    const [buyer] = await signUpMany(t.server, 1);
    const placed = await checkout(t.server, buyer!, { lines: lines([other.variantIds[0]!, 1]), shippingAddress: ADDRESS });
    assert.equal(placed.statusCode, 202, placed.body);
    await t.drainJobs();
    const sub = (await t.server.inject({ method: 'GET', url: `/api/v1/seller/orders`, headers: other.seller.headers })).json<{
      items: Array<{ subOrderId: string }>;
    }>().items[0]!;
    const elsewhere = await seller.page.goto(`/studio/orders/${sub.subOrderId}`);
    assert.equal(elsewhere?.status(), 404);
    assert.equal((await seller.context.request.get(`/api/v1/seller/orders/${sub.subOrderId}`)).status(), 404);
    assert.equal((await operator.page.goto(`/studio`))?.status(), 403);
    // The refused pages above log their 403 and 404 in the console; nothing else may.
    assert.deepEqual(
      [...seller.problems, ...operator.problems].filter(
        (p) => !/Failed to load resource: the server responded with a status of 40[34]/.test(p),
      ),
      [],
    );
  });
});
