import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen } from '../support/browser.ts';
import { openShop } from '../support/shop-over-http.ts';
import { ADDRESS, buyFlow, fillAddress, putInCart, signUpAtCheckout, visitor } from './checkout-support.ts';

/** The buy flow in a browser with JavaScript, and a line that sells out while the shopper types. */
describe('checkout in the browser, with JavaScript', () => {
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

  test(`the buy flow with JavaScript: search, product, cart, sign up at checkout, confirm, sign in, place, paid, emailed`, async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    await buyFlow(t, browser, base, true);
  });

  test('out of stock: the page names the line, places nothing, and the rest stays in the cart', async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    const plenty = await openShop(base, { variants: 1, stock: 10, customers: 0 });
    const scarce = await openShop(base, { variants: 1, stock: 1, customers: 1 });
    const v = await visitor(browser, base, 'checkout-out-of-stock');
    await putInCart(v, plenty.variantIds[0]!, 1);
    await putInCart(v, scarce.variantIds[0]!, 1);
    await signUpAtCheckout(t, v, true);
    await fillAddress(v);
    // Someone else buys the last one while this shopper types.
    const other = await fetch(`${base}/api/v1/checkout`, {
      method: 'POST',
      headers: { ...scarce.customers[0]!.auth, 'content-type': 'application/json', 'idempotency-key': 'other-buyer' },
      body: JSON.stringify({ lines: [{ variantId: scarce.variantIds[0]!, quantity: 1 }], shippingAddress: { ...ADDRESS, country: 'GB' } }),
    });
    assert.equal(other.status, 202);
    await v.page.click('text=Place order');
    await v.page.waitForSelector('.error-summary');
    await v.look('out-of-stock');
    const summary = await v.page.textContent('.error-summary');
    assert.match(summary!, /Bowl shop-\w+ has sold out/);
    assert.ok(summary!.includes(`Bowl shop-`), summary!);
    const cart = (await (await v.context.request.get('/api/v1/cart')).json()) as { lines: Array<{ variantId: string }> };
    assert.deepEqual(cart.lines.map((l) => l.variantId).sort(), [plenty.variantIds[0]!, scarce.variantIds[0]!].sort());
    const orders = (await (await v.context.request.get('/api/v1/orders')).json()) as { items: unknown[] };
    assert.equal(orders.items.length, 0);
    // Take the sold-out line out and place the rest: a new attempt, a new key.
    await v.context.request.delete(`/api/v1/cart/lines/${scarce.variantIds[0]!}`);
    await v.page.goto('/checkout');
    await fillAddress(v);
    await v.page.click('text=Place order');
    await v.page.waitForURL(/placed=1$/);
    await v.context.close();
  });
});
