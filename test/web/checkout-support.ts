/** Helpers of the storefront's checkout and sign-in browser tests (not itself a test file). */
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/test-app.ts';
import { openShop } from '../support/shop-over-http.ts';
import { openVisitor, type Visitor } from '../support/browser.ts';
import { mailTo, tokenOf, uniqueEmail } from '../../src/modules/identity/identity.test-support.ts';

export const PASSWORD = 'velvet cactus harbour drum';
export const ADDRESS = { name: 'Grace Weaver', line1: '3 Kiln Row', city: 'Leeds', postalCode: 'LS1 4AB', country: 'gb' };

/** A visitor whose waits fail after 15 s rather than the test's whole budget. */
export async function visitor(browser: Browser, base: string, suite: string, javaScriptEnabled = true): Promise<Visitor> {
  const v = await openVisitor(browser, base, suite, { javaScriptEnabled });
  v.page.setDefaultTimeout(15_000);
  return v;
}

/** Puts a variant in the visitor's cart through the JSON API (the browser context shares its cookies). */
export async function putInCart(v: Visitor, variantId: string, quantity: number): Promise<void> {
  const res = await v.context.request.put(`/api/v1/cart/lines/${variantId}`, { data: { quantity } });
  assert.equal(res.status(), 200, await res.text());
}

/**
 * The way a shopper finds and buys: types the product's title into the header's search box,
 * opens it from the results, sets the quantity and adds it to the cart. With JavaScript the
 * island adds it without leaving the page (the header's count shows it); without, the form posts
 * and lands on the cart.
 */
export async function searchAndAddToCart(t: TestApp, v: Visitor, title: string, quantity: number, js: boolean): Promise<void> {
  await t.drainJobs(); // the search index follows the catalog through a job
  await v.page.fill('#site-search', title);
  await v.page.press('#site-search', 'Enter');
  await v.page.waitForURL(/\/search\?q=/);
  await v.look('search-results');
  await v.page.click(`main a:has-text("${title}")`);
  await v.page.waitForURL(/\/products\/[0-9a-f-]{36}$/);
  await v.look('product');
  await v.page.fill('#quantity', String(quantity));
  await v.page.click('button:has-text("Add to cart")');
  if (js) {
    await v.page.waitForSelector(`.cart-count:has-text("${quantity}")`);
    await v.look('product-added');
  } else {
    await v.page.waitForURL(/\/cart/);
    await v.look('cart');
  }
}

export async function fillAddress(v: Visitor): Promise<void> {
  await v.page.fill('#name', ADDRESS.name);
  await v.page.fill('#line1', ADDRESS.line1);
  await v.page.fill('#city', ADDRESS.city);
  await v.page.fill('#postalCode', ADDRESS.postalCode);
  await v.page.fill('#country', ADDRESS.country);
}

/** Signs up at checkout, confirms the email with the emailed link, signs in and is back at /checkout. */
export async function signUpAtCheckout(t: TestApp, v: Visitor, js: boolean): Promise<string> {
  const email = uniqueEmail('buyer');
  await v.visit('/checkout', 'checkout-signed-out');
  await v.page.fill('#new-name', 'Grace Weaver');
  await v.page.fill('#new-email', email);
  await v.page.fill('#new-password', PASSWORD);
  await v.page.click('text=Create account');
  await v.page.waitForURL(/\/sign-up\?sent=1&next=%2Fcheckout$/);
  await v.look('check-your-email');

  const letters = await mailTo(t, email);
  const link = letters.find((m) => /Confirm your email/.test(m.subject))?.link ?? null;
  const token = tokenOf(link);
  assert.match(link!, /\/verify-email#token=/);
  if (js) {
    // The island reads the token from the fragment and takes it out of the address bar.
    await v.page.goto(`/verify-email#token=${token}`);
    await v.page.waitForFunction((tok) => (document.getElementById('token') as HTMLInputElement | null)?.value === tok, token);
    assert.equal(new URL(v.page.url()).hash, '');
    await v.look('verify-email-filled');
  } else {
    await v.visit('/verify-email', 'verify-email-paste');
    await v.page.fill('#token', token);
  }
  await v.page.click('text=Confirm my email address');
  await v.page.waitForURL(/\/verify-email\?done=1$/);
  await v.look('email-confirmed');
  await v.page.click('text=Sign in to carry on to checkout');
  await v.page.waitForURL(/\/sign-in\?next=%2Fcheckout$/);
  await v.page.fill('#email', email);
  await v.page.fill('#password', PASSWORD);
  await v.page.click('form[action="/sign-in"] button');
  await v.page.waitForURL(/\/checkout$/);
  return email;
}

/**
 * The whole buy flow as a shopper lives it: home, search, product, add to cart, sign up at
 * checkout (the emailed link), sign in, the address, place the order, see it move to `paid`, the
 * confirmation email, then the orders, account and sessions pages. With or without JavaScript.
 */
export async function buyFlow(t: TestApp, browser: Browser, base: string, js: boolean): Promise<void> {
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
}
