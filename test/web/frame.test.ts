import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen, openVisitor } from '../support/browser.ts';
import { OFFICE_ISLAND_NAMES, STOREFRONT_ISLAND_NAMES } from '../../src/web/islands/names.ts';
import { STOREFRONT_ISLANDS } from '../../src/web/client/island-loaders.ts';
import { OFFICE_ISLANDS } from '../../src/web/client/office-island-loaders.ts';
import { buildAssets, type EntryName } from '../../src/web/assets.ts';

/** The frame every storefront page shares: document head, header, islands, assets, error pages, CSRF. */
describe('storefront frame', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp();
    base = await listen(t.server);
  });
  after(() => t.close());

  test('the home page is HTML a CDN may keep, with ETag, and 304 when unchanged', async () => {
    const res = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    assert.match(res.headers.get('cache-control')!, /^public, max-age=0, s-maxage=\d+, stale-while-revalidate=\d+$/);
    const etag = res.headers.get('etag')!;
    const html = await res.text();
    assert.match(html, /^<!doctype html><html lang="en">/);
    assert.match(html, /<link rel="canonical" href="http:\/\/localhost:\d+\/"\/>/);
    assert.match(html, /<meta property="og:title"/);
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    // A 304 varies as its 200 does, so a shared cache never pairs a gzip body with a plain request.
    assert.equal(again.headers.get('vary'), 'accept-encoding');
  });

  test('built files are content-hashed, immutable, compressed, and within the 30 KB budgets', async (ctx) => {
    const html = await (await fetch(`${base}/`)).text();
    const css = /href="(\/assets\/site-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    const js = /src="(\/assets\/storefront-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    assert.ok(css && js, 'the page links its stylesheet and script by hashed name');
    const res = await fetch(`${base}${js}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    // Every script a public page can load (the entry and all its islands' chunks) and the stylesheet.
    // The studio's and the console's files are their own (office.js, office-styles.css): a budget of
    // their own, for people at work on a desktop, with a chart library (uPlot) in it.
    const assets = await buildAssets();
    const gz = (entry: EntryName) => assets.files(entry).reduce((sum, file) => sum + gzipSync(assets.byPath.get(file)!.body).length, 0);
    // The figures, for notes and docs: `npm test -- test/web/frame` prints them.
    const entries: EntryName[] = ['storefront.js', 'site.css', 'office.js', 'office-styles.css'];
    ctx.diagnostic(`gzipped bytes: ${entries.map((e) => `${e} ${gz(e)} (${assets.files(e).length} files)`).join(', ')}`);
    assert.ok(gz('storefront.js') <= 30 * 1024, `storefront scripts are ${gz('storefront.js')} bytes gzipped`);
    assert.ok(gz('site.css') <= 30 * 1024, `storefront styles are ${gz('site.css')} bytes gzipped`);
    assert.ok(gz('office.js') <= 80 * 1024, `back-office scripts are ${gz('office.js')} bytes gzipped`);
    assert.ok(gz('office-styles.css') <= 15 * 1024, `back-office styles are ${gz('office-styles.css')} bytes gzipped`);
    // No storefront file pulls in the back office's code: no office island's chunk, no uPlot (its
    // `u-over` class name survives minification; the office's files have it, so the marker works).
    const text = (entry: EntryName) => assets.files(entry).map((f) => ({ file: f, body: assets.byPath.get(f)!.body.toString('utf8') }));
    assert.ok(
      text('office.js').some((f) => f.body.includes('u-over')),
      'uPlot is in the back office',
    );
    for (const { file, body } of text('storefront.js')) {
      assert.ok(!body.includes('u-over'), `${file} carries uPlot`);
      for (const island of OFFICE_ISLAND_NAMES) assert.ok(!file.includes(`/${island}-`), `${file} is the ${island} island`);
    }
    assert.ok(!text('site.css')[0]!.body.includes('office-nav'), 'the storefront stylesheet carries the back office styles');
    assert.equal((await fetch(`${base}/assets/nope-123.js`)).status, 404);
    // Only brotli accepted: files have a brotli form; pages have none and go plain, never gzip.
    const brOnly = { 'accept-encoding': 'br' };
    assert.equal((await fetch(`${base}${js}`, { headers: brOnly })).headers.get('content-encoding'), 'br');
    assert.equal((await fetch(`${base}/`, { headers: brOnly })).headers.get('content-encoding'), null);
  });

  test('every island the server can write has a client loader, and the other way round', () => {
    assert.deepEqual(Object.keys(STOREFRONT_ISLANDS).sort(), [...STOREFRONT_ISLAND_NAMES].sort());
    assert.deepEqual(Object.keys(OFFICE_ISLANDS).sort(), [...OFFICE_ISLAND_NAMES].sort());
  });

  test('a bad link shows the site’s not-found page to a browser and JSON to a program', async () => {
    const page = await fetch(`${base}/no/such/page`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 404);
    assert.match(await page.text(), /<h1>Page not found<\/h1>/);
    const api = await fetch(`${base}/api/v1/nope`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  test('the header island fills in and the page passes axe, by keyboard too', async (ctx) => {
    const browser: Browser | null = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const v = await openVisitor(browser, base, 'frame');
      const summary = v.page.waitForResponse((r) => r.url().endsWith('/session-summary'));
      await v.visit('/', 'home');
      assert.equal((await summary).status(), 200);
      // The first Tab reaches the skip link, which moves focus to the main content.
      await v.page.keyboard.press('Tab');
      assert.equal(await v.page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      await v.page.keyboard.press('Enter');
      assert.equal(await v.page.evaluate(() => document.activeElement?.id), 'main');
      await v.visit('/no/such/page', 'not-found');
      assert.deepEqual(
        v.problems.filter((p) => !p.includes('404')),
        [],
      );
    } finally {
      await browser.close();
    }
  });
});
