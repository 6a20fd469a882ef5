import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, PROTECTIONS_OFF, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen, openVisitor } from '../support/browser.ts';

const PASSWORD = 'correct horse battery';
/** A small PNG of one colour. */
const png = (r: number) =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r, g: 90, b: 60 } } })
    .png()
    .toBuffer();

/**
 * The studio's shop side in Chromium: a customer opens a shop (by keyboard), the operator approves
 * it, the seller lists a product with two variants (the second added by keyboard), uploads an
 * image and sees it Ready, publishes it, restocks; then the new-product form without JavaScript.
 * Every page is screenshot and checked by axe.
 */
describe('studio listing in the browser', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({ ...PROTECTIONS_OFF, ATELIER_SHOP_APPROVAL: 'required' });
    base = await listen(t.server);
    await t.app.catalog.service.createCategory({ slug: `ceramics-${randomUUID().slice(0, 6)}`, name: 'Ceramics' });
  });
  after(() => t.close());

  async function signIn(context: BrowserContext, role: 'customer' | 'admin'): Promise<string> {
    const email = `${role}-${randomUUID()}@example.test`;
    const account = await t.app.identity.service.createAccount({ email, password: PASSWORD, name: `Ada ${role}`, role });
    const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
    assert.equal(res.statusCode, 200, res.body);
    await context.addCookies(res.cookies.map((c) => ({ name: c.name, value: c.value, url: base })));
    return account.id;
  }

  const focused = (page: Page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim());

  async function onboardByKeyboard(page: Page, slug: string) {
    await page.focus('#name');
    await page.keyboard.type('Kiln Street Pottery');
    for (const [id, text] of [
      ['slug', slug],
      ['story', 'Thrown by hand in a small studio.'],
      ['shippingPolicy', 'Ships in five days.'],
      ['returnsPolicy', 'Returns within 30 days.'],
    ] as const) {
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), id);
      await page.keyboard.type(text);
    }
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Open shop');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/studio\?done=opened$/);
  }

  async function newProductWithTwoVariants(page: Page) {
    await page.getByLabel('Title').fill('Speckled mug');
    await page.getByLabel('Description').fill('Stoneware, dishwasher safe.');
    await page.getByLabel('Category').selectOption({ label: 'Ceramics' });
    await page.getByLabel('Option name').fill('Size');
    await page.getByLabel('Variant 1 value').fill('Small');
    await page.getByLabel('Variant 1 price').fill('12.50');
    // The spare rows are gone once the island runs; "Add a variant" adds one, by keyboard, with focus on it.
    assert.equal(await page.locator('#variant-2-value').count(), 0);
    await page.getByLabel('Variant 1 price').focus();
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Add a variant');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'variant-2-value');
    await page.keyboard.type('Large');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'variant-2-price');
    await page.keyboard.type('15');
  }

  async function uploadTwoAndWaitReady(page: Page) {
    await page.getByLabel('Alt text for new images').fill('A speckled mug');
    await page.getByLabel('Add images').setInputFiles([
      { name: 'front.png', mimeType: 'image/png', buffer: await png(180) },
      { name: 'side.png', mimeType: 'image/png', buffer: await png(60) },
    ]);
    await page.getByText('Processing', { exact: true }).first().waitFor();
    await page.getByText('Image 2:').waitFor();
    await t.drainJobs();
    await page.getByText('Every image is processed').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByText('Ready', { exact: true }).count(), 2);
  }

  /** Alt text saved with Enter; image 2 moved up by keyboard, focus following it. */
  async function editImagesByKeyboard(page: Page) {
    const secondId = await page.locator('.editor-image').nth(1).locator('input[name=alt]').getAttribute('id');
    await page.getByLabel('Alt text for image 2').fill('The side of the mug');
    await page.keyboard.press('Enter');
    await page.getByText('Alt text of image 2 saved').waitFor();
    await page.getByRole('button', { name: 'Move image 2 up' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Image 2 is now image 1').waitFor();
    assert.equal(await page.locator('.editor-image').first().locator('input[name=alt]').getAttribute('id'), secondId);
    // Focus follows the image once the island has drawn the new order (the next frame).
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Move image 1 down', undefined, { timeout: 5000 });
    assert.equal(await page.getByLabel('Alt text for image 1').inputValue(), 'The side of the mug');
  }

  test('onboarding, approval, a product with two variants and an image, publish, restock', async (ctx) => {
    const browser: Browser | null = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const v = await openVisitor(browser, base, 'studio-listing');
      const customerId = await signIn(v.context, 'customer');
      await v.visit('/studio/start', 'start');
      await onboardByKeyboard(v.page, `kiln-${randomUUID().slice(0, 6)}`);
      await v.look('overview-pending');
      assert.match(await v.page.locator('main').innerText(), /Waiting for approval/);

      const shop = await t.app.catalog.service.ownShop(customerId);
      const adminId = (
        await t.app.identity.service.createAccount({
          email: `op-${randomUUID()}@example.test`,
          password: PASSWORD,
          name: 'Op',
          role: 'admin',
        })
      ).id;
      await t.app.catalog.service.moderation.approveShop({ accountId: adminId, role: 'admin', ip: null, userAgent: null }, shop!.id);
      await v.visit('/studio', 'overview-open');
      assert.match(await v.page.locator('.studio-panel').first().innerText(), /\bOpen\b/);

      await v.visit('/studio/products/new', 'new-product');
      await newProductWithTwoVariants(v.page);
      await v.page.getByRole('button', { name: 'Save draft' }).click();
      await v.page.waitForURL(/\/studio\/products\/[0-9a-f-]{36}\?done=created$/);
      await v.look('editor-created');
      await uploadTwoAndWaitReady(v.page);
      await editImagesByKeyboard(v.page);
      await v.look('editor-images-moved');
      const product = (await t.app.catalog.service.sellerProducts(customerId, undefined, 1)).items[0]!;
      assert.deepEqual(
        (await t.app.catalog.service.getProduct(product.id))!.images.map((i) => i.alt),
        ['The side of the mug', 'A speckled mug'],
      );
      await v.page.getByRole('button', { name: 'Publish' }).click();
      await v.page.waitForURL(/\?done=published$/);
      await v.look('editor-published');

      await v.page.goto('/studio/stock');
      assert.match(await v.page.locator('main').innerText(), /Low stock/);
      await v.page.getByLabel('Units for Speckled mug (Small)').fill('12');
      await v.page
        .locator('form', { has: v.page.getByLabel('Units for Speckled mug (Small)') })
        .getByRole('button', { name: 'Restock' })
        .click();
      await v.page.waitForURL(/done=restock/);
      await v.look('stock-restocked');
      const row = v.page.locator('tr', { has: v.page.getByLabel('Units for Speckled mug (Small)') });
      assert.match(await row.innerText(), /In stock/);

      await v.visit('/studio/products?q=mug&status=published', 'products-filtered');
      assert.equal(await v.page.getByRole('link', { name: 'Speckled mug' }).count(), 1);
      await v.page.goto('/studio/shop');
      await v.page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await png(30) });
      await v.page.getByText('Processing', { exact: true }).waitFor();
      await t.drainJobs();
      await v.page.getByText('Ready', { exact: true }).waitFor({ timeout: 10_000 });
      await v.page.locator('img.shop-image-preview.logo').waitFor();
      await v.look('shop-logo-ready');
      assert.deepEqual(v.problems, []);
    } finally {
      await browser.close();
    }
  });

  test('without JavaScript the new-product form offers spare variant rows and saves', async (ctx) => {
    const browser: Browser | null = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const v = await openVisitor(browser, base, 'studio-listing-nojs', { javaScriptEnabled: false });
      await signIn(v.context, 'customer');
      await v.page.goto('/studio/start');
      await v.page.getByLabel('Shop name').fill('Loom Room');
      await v.page.getByLabel('Web address').fill(`loom-${randomUUID().slice(0, 6)}`);
      await v.page.getByRole('button', { name: 'Open shop' }).click();
      await v.page.waitForURL(/\/studio\?done=opened$/);
      await v.visit('/studio/products/new', 'new-product');
      assert.equal(await v.page.getByRole('button', { name: 'Add a variant' }).count(), 0);
      await v.page.getByLabel('Title').fill('Wool scarf');
      await v.page.getByLabel('Option name').fill('Colour');
      await v.page.getByLabel('Variant 1 value').fill('Indigo');
      await v.page.getByLabel('Variant 1 price').fill('12.345');
      await v.page.getByLabel('Variant 2 value').fill('Rust');
      await v.page.getByLabel('Variant 2 price').fill('40');
      await v.page.getByRole('button', { name: 'Save draft' }).click();
      await v.look('new-product-error');
      assert.match(await v.page.locator('.error-summary').innerText(), /Enter the price of variant 1 as an amount/);
      await v.page.getByLabel('Variant 1 price').fill('38');
      await v.page.getByRole('button', { name: 'Save draft' }).click();
      await v.page.waitForURL(/\/studio\/products\/[0-9a-f-]{36}\?done=created$/);
      await v.look('editor');
      assert.equal(await v.page.getByLabel('Variant 2 value').inputValue(), 'Rust');
    } finally {
      await browser.close();
    }
  });
});
