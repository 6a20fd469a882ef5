import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { seedDemo } from '../../src/app/seed.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { signUp } from '../support/accounts.ts';
import { launchBrowser, listen, openVisitor } from '../support/browser.ts';

/**
 * The storefront's browsing in Chromium with JavaScript off: links and GET forms only
 * (browse.test.ts has the rest). Every visit keeps a screenshot (test-results/screenshots/browse-nojs) and runs axe.
 */
const XSS = '<script>alert(1)</script>';
const HTML = { accept: 'text/html' };

describe('storefront browsing without JavaScript', () => {
  let t: TestApp;
  let base: string;
  let xssShop: string;
  let xssProduct: string;
  before(async () => {
    t = await createTestApp();
    await seedDemo(t.app, { products: 60, onlyIfEmpty: false, progress: false });
    const seller = await signUp(t.server, 'seller');
    const catalog = t.app.catalog.service;
    xssShop = `xss-${Date.now().toString(36)}`;
    await catalog.createShop(seller.id, { slug: xssShop, name: `${XSS} Pottery`, description: `Our story ${XSS} begins here.` });
    const product = await catalog.createProduct(seller.id, {
      title: `${XSS} bowl`,
      description: 'A bowl',
      status: 'published',
      variants: [{ options: {}, price: 1500 }],
    });
    xssProduct = product.id;
    base = await listen(t.server);
  });
  after(() => t.close());

  test('in a browser without JavaScript: the same browsing, the filter form and search by links and GET forms', async (ctx) => {
    const browser: Browser | null = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const v = await openVisitor(browser, base, 'browse-nojs', { javaScriptEnabled: false });
      const { page } = v;
      await v.visit('/', 'home');
      await page.getByRole('navigation', { name: 'Shop by category' }).getByRole('link', { name: 'Textiles' }).click();
      await page.waitForURL(/\/categories\/textiles$/);
      await v.look('category');
      await v.visit('/products', 'listing');
      await page.getByLabel('Category').selectOption('ceramics');
      await page.getByLabel('From').fill('10');
      await page.getByLabel('To').fill('200');
      await page.getByLabel('Sort by').selectOption('price_desc');
      await page.getByRole('button', { name: 'Show products' }).click();
      await page.waitForURL(/category=ceramics&minPrice=10&maxPrice=200&sort=price_desc/);
      await v.look('listing-filtered');
      await page.getByLabel('From').fill('300');
      await page.getByLabel('To').fill('5');
      await page.getByRole('button', { name: 'Show products' }).click();
      await page.waitForURL(/minPrice=300/);
      assert.match((await page.locator('.error-summary').textContent()) ?? '', /Lowest price must not be more than the highest price/);
      await v.look('listing-error');
      await v.visit('/products', 'listing-again');
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL(/cursor=/);
      await v.look('listing-page-2');
      await page.getByRole('searchbox', { name: 'Search handmade goods' }).fill('scarf');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/\/search\?q=scarf$/);
      await v.look('search');
      await v.visit('/search', 'search-empty-query');
      await v.visit(`/shops/${xssShop}`, 'shop');
      assert.equal(await page.locator('h1').textContent(), `${XSS} Pottery`);
      await page.getByRole('link', { name: `${XSS} bowl` }).waitFor();
      assert.equal(await page.getByRole('link', { name: `${XSS} bowl` }).getAttribute('href'), `/products/${xssProduct}`);
      const html = await (await fetch(`${base}/shops/${xssShop}`, { headers: HTML })).text();
      assert.ok(html.includes('&lt;script>alert(1)&lt;/script> Pottery') && !html.includes(XSS));
    } finally {
      await browser.close();
    }
  });
});
