import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen } from '../support/browser.ts';
import { openShop } from '../support/shop-over-http.ts';
import { mailTo } from '../../src/modules/identity/identity.test-support.ts';
import { fillAddress, putInCart, searchAndAddToCart, signUpAtCheckout, visitor } from './checkout-support.ts';

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

  {
    const js = false;
    test(`the buy flow ${js ? 'with' : 'without'} JavaScript: cart, sign up at checkout, confirm, sign in, place, paid, emailed`, async (ctx) => {
      browser ??= await launchBrowser(ctx);
      if (!browser) return;
      const shop = await openShop(base, { variants: 1, stock: 10, customers: 0 });
      const v = await visitor(browser, base, js ? 'checkout-js' : 'checkout-nojs', js);
      await v.visit('/', 'home');
      await searchAndAddToCart(t, v, shop.title, 2, js);

      const email = await signUpAtCheckout(t, v, js);
      // The guest cart merged into the new account's on the first signed-in read.
      await v.look('checkout-review');
      assert.match((await v.page.textContent('.review tbody'))!, /Bowl shop-/);
      assert.match((await v.page.textContent('main'))!, /Test mode: no real payment is taken/);

      await fillAddress(v);
      await v.page.click('text=Place order');
      await v.page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}\?placed=1$/);
      await v.look('confirmation-pending');
      assert.match((await v.page.textContent('h1'))!, /Thank you/);
      assert.equal(await v.page.getAttribute('.status', 'data-status'), 'pending_payment');

      await t.drainJobs();
      if (js) {
        // The island polls and announces the change in its live region.
        await v.page.waitForSelector('[data-status="paid"]', { timeout: 15_000 });
      } else {
        await v.page.click('text=Check again');
        await v.page.waitForSelector('[data-status="paid"]');
      }
      await v.look('confirmation-paid');
      const orderId = /orders\/([0-9a-f-]{36})/.exec(v.page.url())![1]!;
      const letters = await mailTo(t, email);
      assert.ok(
        letters.some((m) => m.subject === `Your Atelier order ${orderId.slice(-8).toUpperCase()} is confirmed`),
        letters.map((m) => m.subject).join(', '),
      );

      await v.visit('/account/orders', 'orders');
      assert.match((await v.page.textContent('tbody'))!, new RegExp(orderId.slice(-8).toUpperCase()));
      await v.visit('/account', 'account');
      assert.match((await v.page.textContent('main'))!, /Confirmed/);
      await v.visit('/account/sessions', 'sessions');
      // The browser asks for /favicon.ico, which the site does not have.
      assert.deepEqual(
        v.problems.filter((p) => !p.includes('404')),
        [],
      );
      await v.context.close();
    });
  }

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
