import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen } from '../support/browser.ts';
import { openShop } from '../support/shop-over-http.ts';
import { buyFlow, fillAddress, putInCart, signUpAtCheckout, visitor } from './checkout-support.ts';

/** The buy flow in a browser without JavaScript (links and forms only), and a double submit. */
describe('checkout in the browser, without JavaScript', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser | null = null;
  before(async () => {
    t = await createTestApp();
    base = await listen(t.server);
  });
  after(async () => {
    await browser?.close();
    await t.close();
  });

  test(`the buy flow without JavaScript: search, product, cart, sign up at checkout, confirm, sign in, place, paid, emailed`, async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    await buyFlow(t, browser, base, false);
  });

  test('a double-submitted checkout places one order', async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    const shop = await openShop(base, { variants: 1, stock: 10, customers: 0 });
    const v = await visitor(browser, base, 'checkout-double', false);
    await putInCart(v, shop.variantIds[0]!, 1);
    await signUpAtCheckout(t, v, false);
    await fillAddress(v);
    const form = await v.page.evaluate(() =>
      Object.fromEntries(
        new FormData(document.querySelector('form[action="/checkout"]') as HTMLFormElement) as unknown as Iterable<[string, string]>,
      ),
    );
    // Two copies of the same POST at once (a double click), then the browser's own submit.
    const posts = await Promise.all(
      [1, 2].map(() => v.context.request.post('/checkout', { form, headers: { origin: base }, maxRedirects: 0 })),
    );
    assert.deepEqual(
      posts.map((p) => p.status()),
      [303, 303],
    );
    const [a, b] = posts.map((p) => p.headers()['location']);
    assert.equal(a, b);
    await v.page.click('text=Place order');
    await v.page.waitForURL(/placed=1$/);
    assert.equal(new URL(v.page.url()).pathname + '?placed=1', a);
    const list = (await (await v.context.request.get('/api/v1/orders')).json()) as { items: unknown[] };
    assert.equal(list.items.length, 1);
    await v.context.close();
  });
});
