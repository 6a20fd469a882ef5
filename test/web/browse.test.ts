import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { seedDemo } from '../../src/app/seed.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { signUp } from '../support/accounts.ts';
import { launchBrowser, listen, openVisitor } from '../support/browser.ts';

/**
 * The storefront's browsing pages (src/web/storefront: home, listings, search, shops, sitemap,
 * robots, the busy page), over real HTTP and in Chromium with and without JavaScript. Every visit
 * keeps a screenshot (test-results/screenshots/browse*) and runs axe.
 */
const XSS = '<script>alert(1)</script>';
const HTML = { accept: 'text/html' };

describe('storefront browsing', () => {
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

  const get = (path: string, headers: Record<string, string> = HTML) => fetch(`${base}${path}`, { headers });

  test('home, listing, category and shop pages are public, cached with ETag, and 304 when unchanged', async () => {
    for (const path of ['/', '/products', '/categories/ceramics', `/shops/${xssShop}`, '/products?sort=price_asc&minPrice=10']) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type')!, /^text\/html/, path);
      assert.match(res.headers.get('cache-control')!, /^public, max-age=0, s-maxage=\d+, stale-while-revalidate=\d+$/, path);
      const etag = res.headers.get('etag')!;
      assert.ok(etag, path);
      const again = await get(path, { ...HTML, 'if-none-match': etag });
      assert.equal(again.status, 304, path);
    }
  });

  test('a listing pages through its products with real links; the canonical leaves out the cursor', async () => {
    const first = await (await get('/products')).text();
    assert.match(first, /Showing the first 24 products; more on the next page/);
    assert.match(first, /<link rel="canonical" href="http:\/\/localhost:\d+\/products"\/>/);
    const next = /href="(\/products\?cursor=[^"]+)" rel="next"/.exec(first)?.[1];
    assert.ok(next, 'a next-page link');
    const second = await (await get(next.replace(/&amp;/g, '&'))).text();
    assert.match(second, /Showing 24 more products|Showing the last \d+ products?/);
    assert.match(second, /href="\/products"[^>]*>.*First page/);
    assert.match(second, /<link rel="canonical" href="http:\/\/localhost:\d+\/products"\/>/);
    const firstIds = [...first.matchAll(/href="\/products\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    const secondIds = [...second.matchAll(/href="\/products\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(firstIds.length, 24);
    assert.ok(secondIds.length > 0 && secondIds.every((id) => !firstIds.includes(id)), 'the second page continues the first');
    // A price range in major units is the catalog's filter in minor units: every card within it.
    const ranged = await (await get('/products?minPrice=20&maxPrice=40.5&sort=price_asc')).text();
    const prices = [...ranged.matchAll(/<p class="price">\D*([\d,]+\.\d\d)<\/p>/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    assert.ok(prices.length > 0, 'some products between 20 and 40.50');
    assert.ok(
      prices.every((p) => p >= 20 && p <= 40.5),
      prices.join(' '),
    );
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
    assert.match(ranged, /value="40.50"/, 'the form shows the range back');
  });

  test('bad filters show a message on the page (400), never a 500; unknown category and shop are 404 pages', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/products?minPrice=50&maxPrice=5', /Lowest price must not be more than the highest price/],
      ['/products?minPrice=ten', /Lowest price must be a number/],
      ['/products?maxPrice=-3', /Highest price must be a number/],
      ['/products?cursor=not-a-cursor', /That page link is broken or out of date/],
      ['/products?category=no-such-category', /Choose a category from the list/],
      ['/products?sort=cheapest', /Choose one of the sort orders/],
      ['/categories/ceramics?minPrice=1.234', /Lowest price must be a number/],
      ['/search?q=bowl&cursor=forged', /That page link is broken or belongs to another search/],
    ];
    for (const [path, message] of cases) {
      const res = await get(path);
      assert.equal(res.status, 400, path);
      assert.equal(res.headers.get('cache-control'), 'private, no-store', path);
      const html = await res.text();
      assert.match(html, /<h2>There is a problem<\/h2>/, path);
      assert.match(html, message, path);
    }
    for (const path of [
      '/categories/no-such-category',
      '/shops/no-such-shop',
      '/products?shop=no-such-shop',
      '/sitemaps/products-99.xml',
    ]) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.match(await res.text(), /Page not found/, path);
    }
  });

  test('search: ranked results as the API gives them, an empty state, and no indexing of result pages', async () => {
    const api = (await (await get('/api/v1/search?q=bowl&limit=24', {})).json()) as { items: Array<{ id: string }> };
    assert.ok(api.items.length > 0);
    const html = await (await get('/search?q=bowl')).text();
    const ids = [...html.matchAll(/href="\/products\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.deepEqual(
      ids,
      api.items.map((i) => i.id),
      'same ranking as the API',
    );
    // The first page of a query may be indexed (canonical /search?q=); later pages may not.
    assert.doesNotMatch(html, /<meta name="robots"/);
    assert.match(html, /<link rel="canonical" href="[^"]*\/search\?q=bowl"\/>/);
    const next = /href="(\/search\?q=bowl&amp;cursor=[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    if (next) assert.match(await (await get(next)).text(), /<meta name="robots" content="noindex"\/>/);
    assert.match(html, /value="bowl"/, 'the header box keeps the query');
    const none = await (await get('/search?q=zzyzxqq')).text();
    assert.match(none, /Nothing matches “zzyzxqq”/);
  });

  test('a shop name and story and a product title with <script> show as text', async () => {
    const shop = await (await get(`/shops/${xssShop}`)).text();
    assert.ok(!shop.includes(XSS), 'no raw script tag');
    assert.match(shop, /<h1>&lt;script>alert\(1\)&lt;\/script> Pottery<\/h1>/);
    assert.match(shop, /Our story &lt;script>alert\(1\)&lt;\/script> begins here/);
    assert.match(shop, new RegExp(`href="/products/${xssProduct}">&lt;script>alert\\(1\\)&lt;/script> bowl</a>`));
    const listing = await (await get(`/products?shop=${xssShop}`)).text();
    assert.ok(!listing.includes(XSS));
    assert.match(listing, /&lt;script>alert\(1\)&lt;\/script> bowl/);
  });

  test('robots.txt and a paged sitemap of published products and shops', async () => {
    const robots = await get('/robots.txt', {});
    assert.match(robots.headers.get('content-type')!, /^text\/plain/);
    assert.match(robots.headers.get('cache-control')!, /^public/);
    const text = await robots.text();
    for (const p of ['/cart', '/checkout', '/account', '/api/']) assert.ok(text.includes(`\nDisallow: ${p}\n`), p);
    assert.match(text, /^User-agent: \*\nAllow: \//);
    assert.match(text, /\nSitemap: http:\/\/localhost:\d+\/sitemap\.xml\n/);

    const index = await get('/sitemap.xml', {});
    assert.match(index.headers.get('content-type')!, /^application\/xml/);
    assert.match(index.headers.get('cache-control')!, /^public/);
    const indexXml = await index.text();
    assert.match(
      indexXml,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<sitemapindex xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/,
    );
    assert.match(indexXml, /<loc>http:\/\/localhost:\d+\/sitemaps\/products-1\.xml<\/loc>/);
    assert.match(indexXml, /<loc>http:\/\/localhost:\d+\/sitemaps\/shops\.xml<\/loc>/);
    assert.ok(!indexXml.includes('products-2.xml'), 'one page for 61 products');

    const products = await (await get('/sitemaps/products-1.xml', {})).text();
    const locs = [
      ...products.matchAll(/<url><loc>http:\/\/localhost:\d+\/products\/([0-9a-f-]{36})<\/loc><lastmod>[^<]+<\/lastmod><\/url>/g),
    ];
    assert.equal(locs.length, await t.app.catalog.service.countPublishedProducts());
    assert.ok(locs.some((m) => m[1] === xssProduct));
    const shops = await (await get('/sitemaps/shops.xml', {})).text();
    assert.ok(shops.includes(`/shops/${xssShop}</loc>`));
  });

  test('in a browser: home → category → all products → next page → shop, with suggestions while typing (keyboard)', async (ctx) => {
    const browser: Browser | null = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const v = await openVisitor(browser, base, 'browse');
      const { page } = v;
      await v.visit('/', 'home');
      await page.getByRole('navigation', { name: 'Shop by category' }).getByRole('link', { name: 'Ceramics' }).click();
      await page.waitForURL(/\/categories\/ceramics$/);
      await v.look('category');
      await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'All products' }).click();
      await page.waitForURL(/\/products$/);
      await v.look('listing');
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL(/cursor=/);
      await v.look('listing-page-2');
      await page.getByRole('link', { name: 'First page' }).click();
      await page.waitForURL(/\/products$/);
      await v.visit('/', 'home-again');
      await page.locator('.shop-tile').first().click();
      await page.waitForURL(/\/shops\//);
      await v.look('shop');
      await v.visit(`/shops/${xssShop}`, 'shop-with-script-in-name');
      // The only scripts are the site's file and the JSON-LD block (not executed, `<` escaped there).
      assert.equal(await page.evaluate(() => [...document.scripts].filter((s) => !s.src && s.type !== 'application/ld+json').length), 0);
      assert.equal(await page.locator('h1').textContent(), `${XSS} Pottery`);

      // Suggestions while typing: a combobox with a listbox, arrows, Enter and Escape.
      const box = page.getByRole('combobox', { name: 'Search handmade goods' });
      await box.pressSequentially('bow', { delay: 60 });
      const list = page.getByRole('listbox', { name: 'Suggested products' });
      await list.waitFor({ state: 'visible' });
      const options = list.getByRole('option');
      assert.ok((await options.count()) > 0 && (await options.count()) <= 5);
      assert.equal(await box.getAttribute('aria-expanded'), 'true');
      await v.look('suggestions');
      await box.press('ArrowDown');
      assert.equal(await box.getAttribute('aria-activedescendant'), 'site-search-option-0');
      assert.equal(await options.first().getAttribute('aria-selected'), 'true');
      await box.press('Escape');
      assert.equal(await box.getAttribute('aria-expanded'), 'false');
      assert.ok(await list.isHidden());
      // Enter with no suggestion chosen searches; then the results page.
      await box.press('Enter');
      await page.waitForURL(/\/search\?q=bow$/);
      await v.look('search-results');
      // Enter on a chosen suggestion opens that product.
      const box2 = page.getByRole('combobox', { name: 'Search handmade goods' });
      await box2.fill('');
      await box2.pressSequentially('bow', { delay: 60 });
      await page.getByRole('listbox', { name: 'Suggested products' }).waitFor({ state: 'visible' });
      const firstTitle = await page.getByRole('option').first().textContent();
      await box2.press('ArrowDown');
      await box2.press('Enter');
      await page.waitForURL(/\/products\/[0-9a-f-]{36}$/);
      // The option reads "<title> by <shop>": Enter opened that product.
      const opened = (await page.locator('h1').textContent())!.trim();
      assert.ok(firstTitle?.startsWith(opened), `${firstTitle} opened ${opened}`);
      await v.visit('/search?q=zzyzxqq', 'search-none');
      await v.visit('/products?minPrice=50&maxPrice=5', 'listing-bad-filter');
      await v.visit('/categories/nope', 'category-not-found');
      assert.deepEqual(
        v.problems.filter((p) => !/404|400/.test(p)),
        [],
      );
    } finally {
      await browser.close();
    }
  });
});
