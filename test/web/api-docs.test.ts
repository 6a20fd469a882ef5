/**
 * Issue 19: the browsable API reference at /api/docs, in a real browser. Redoc renders the document
 * the server publishes, with no request leaving the machine; the page is looked at (screenshot),
 * checked with axe, used by keyboard (its search field), and says where the document is without
 * JavaScript.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, listen, openVisitor, SCREENSHOT_DIR } from '../support/browser.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let base: string;
let browser: Browser | null = null;
before(async () => {
  t = await createTestApp();
  base = await listen(t.server);
});
after(async () => {
  await browser?.close();
  await t?.close();
});

/**
 * Screenshot and axe, as Visitor.look does, less one rule: Redoc (third-party markup, not ours to
 * change) heads each operation's parts with h5 under an h2, which axe's best-practice
 * `heading-order` flags. Every WCAG A and AA rule still applies.
 */
async function lookAt(page: Page, label: string): Promise<void> {
  await mkdir(path.join(SCREENSHOT_DIR, 'api-docs'), { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'api-docs', `${label}.png`), fullPage: false });
  // Redoc renders every operation of the document at once (thousands of nodes): axe over all of
  // it takes minutes here, so it checks the parts every section is made of: the search and menu,
  // the heading, and the first tag with its operations (the cart's: parameters, bodies, answers).
  const result = await new AxeBuilder({ page })
    .include('.menu-content')
    .include('h1')
    .include('[data-section-id="tag/cart"]')
    .include('[data-section-id="operation/setCartLine"]')
    .disableRules(['heading-order'])
    .analyze();
  assert.deepEqual(
    result.violations.map(
      (x) =>
        `${x.id}: ${x.help} (${x.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')})`,
    ),
    [],
    `axe on ${label}`,
  );
}

describe('the API reference at /api/docs', () => {
  test('renders every tag and operation of the document, from this origin only, by keyboard too', async (ctx) => {
    browser = await launchBrowser(ctx);
    if (!browser) return;
    const v = await openVisitor(browser, base, 'api-docs');
    // Redoc's attribution asks for its logo from its CDN; the page's CSP refuses it, so nothing leaves.
    const elsewhere = new Set<string>();
    const refused = new Set<string>();
    v.page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('blob:')) elsewhere.add(r.url());
    });
    v.page.on('requestfailed', (r) => refused.add(r.url()));
    await v.page.goto('/api/docs', { waitUntil: 'load' });
    // What the reference must show, from the document itself (summaries change with the routes).
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; summary: string }>>;
    };
    const summaryOf = (id: string) =>
      Object.values(doc.paths)
        .flatMap((item) => Object.values(item))
        .find((op) => op.operationId === id)!.summary;
    await v.page.getByRole('heading', { name: summaryOf('checkout') }).waitFor({ timeout: 30_000 });
    await lookAt(v.page, 'reference');
    assert.deepEqual(
      [...elsewhere].filter((url) => !refused.has(url)),
      [],
      'nothing is fetched from elsewhere',
    );

    // The search field, reached by keyboard, finds an operation.
    const search = v.page.getByPlaceholder('Search...');
    for (let i = 0; i < 10 && !(await search.evaluate((el) => el === document.activeElement)); i++) await v.page.keyboard.press('Tab');
    assert.ok(await search.evaluate((el) => el === document.activeElement), 'the search field is reachable with Tab');
    await v.page.keyboard.type('refund');
    const result = v.page.locator('.menu-content').getByText(summaryOf('refundShopOrder'), { exact: true }).first();
    await result.waitFor({ timeout: 15_000 });
    // The result, by keyboard: down to it, Enter, and the operation is in view.
    await v.page.keyboard.press('ArrowDown');
    await v.page.keyboard.press('Enter');
    await v.page.waitForURL(/operation\/refundShopOrder$/, { timeout: 10_000, waitUntil: 'commit' });
    await lookAt(v.page, 'search');
    assert.deepEqual(
      v.problems.filter((p) => !/cdn\.redoc\.ly/.test(p)),
      [],
    );
    await v.context.close();
  });

  test('without JavaScript it points to the document itself', async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    const v = await openVisitor(browser, base, 'api-docs-nojs', { javaScriptEnabled: false });
    await v.visit('/api/docs', 'no-javascript');
    const link = v.page.getByRole('link', { name: '/api/v1/openapi.json' });
    assert.equal(await link.getAttribute('href'), '/api/v1/openapi.json');
    await v.context.close();
  });
});
