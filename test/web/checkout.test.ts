import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen, openVisitor, type Visitor } from '../support/browser.ts';
import { openShop } from '../support/shop-over-http.ts';
import { mailTo, tokenOf, uniqueEmail } from '../../src/modules/identity/identity.test-support.ts';
import { safeReturnPath } from '../../src/web/forms.ts';

const PASSWORD = 'velvet cactus harbour drum';
const ADDRESS = { name: 'Grace Weaver', line1: '3 Kiln Row', city: 'Leeds', postalCode: 'LS1 4AB', country: 'gb' };

/** Puts a variant in the visitor's cart through the JSON API (the browser context shares its cookies). */
async function putInCart(v: Visitor, variantId: string, quantity: number): Promise<void> {
  const res = await v.context.request.put(`/api/v1/cart/lines/${variantId}`, { data: { quantity } });
  assert.equal(res.status(), 200, await res.text());
}

async function fillAddress(v: Visitor): Promise<void> {
  await v.page.fill('#name', ADDRESS.name);
  await v.page.fill('#line1', ADDRESS.line1);
  await v.page.fill('#city', ADDRESS.city);
  await v.page.fill('#postalCode', ADDRESS.postalCode);
  await v.page.fill('#country', ADDRESS.country);
}

/** Signs up at checkout, confirms the email with the emailed link, signs in and is back at /checkout. */
async function signUpAtCheckout(t: TestApp, v: Visitor, js: boolean): Promise<string> {
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

describe('checkout in the browser', () => {
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

  for (const js of [true, false]) {
    test(`the buy flow ${js ? 'with' : 'without'} JavaScript: cart, sign up at checkout, confirm, sign in, place, paid, emailed`, async (ctx) => {
      browser ??= await launchBrowser(ctx);
      if (!browser) return;
      const shop = await openShop(base, { variants: 1, stock: 10, customers: 0 });
      const v = await openVisitor(browser, base, js ? 'checkout-js' : 'checkout-nojs', { javaScriptEnabled: js });
      await v.visit('/', 'home');
      await putInCart(v, shop.variantIds[0]!, 2);

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
      assert.deepEqual(v.problems, []);
      await v.context.close();
    });
  }

  test('a double-submitted checkout places one order', async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    const shop = await openShop(base, { variants: 1, stock: 10, customers: 0 });
    const v = await openVisitor(browser, base, 'checkout-double', { javaScriptEnabled: false });
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

  test('out of stock: the page names the line, places nothing, and the rest stays in the cart', async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    const plenty = await openShop(base, { variants: 1, stock: 10, customers: 0 });
    const scarce = await openShop(base, { variants: 1, stock: 1, customers: 1 });
    const v = await openVisitor(browser, base, 'checkout-out-of-stock');
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

  test('sign-in errors keep the email, never the password; next= only returns to this site', async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    const email = uniqueEmail('known');
    await t.app.identity.service.signUp({ email, password: PASSWORD, name: 'Known Person', role: 'customer' });
    const v = await openVisitor(browser, base, 'sign-in', { javaScriptEnabled: false });
    await v.visit('/sign-in?next=https://evil.example/steal', 'sign-in');
    assert.equal(await v.page.$('input[name="next"]'), null);
    await v.page.click('form[action="/sign-in"] button');
    await v.look('sign-in-empty');
    assert.match((await v.page.textContent('.error-summary'))!, /Enter your email address[\s\S]*Enter your password/);
    await v.page.fill('#email', email);
    await v.page.fill('#password', 'not the password at all');
    await v.page.click('form[action="/sign-in"] button');
    await v.look('sign-in-wrong');
    assert.match((await v.page.textContent('.error-summary'))!, /email address or password is not right/);
    assert.equal(await v.page.inputValue('#email'), email);
    assert.equal(await v.page.inputValue('#password'), '');
    // A return path smuggled into the POST is ignored too.
    const res = await v.context.request.post('/sign-in', {
      form: { email, password: PASSWORD, next: '//evil.example/x' },
      headers: { origin: base },
      maxRedirects: 0,
    });
    assert.equal(res.status(), 303);
    assert.equal(res.headers()['location'], '/account');
    await v.visit('/sign-in?next=%2Faccount%2Forders', 'sign-in-signed-in');
    assert.equal(new URL(v.page.url()).pathname, '/account/orders');
    // Signed out, a private page sends the browser to sign in and back.
    await v.page.click('form[action="/sign-out"] button').catch(() => undefined);
    await v.context.clearCookies();
    await v.page.goto('/account/orders?cursor=x');
    assert.equal(new URL(v.page.url()).pathname, '/sign-in');
    assert.equal(new URL(v.page.url()).searchParams.get('next'), '/account/orders?cursor=x');
    await v.visit('/sign-up', 'sign-up');
    await v.page.fill('#name', 'New Person');
    await v.page.fill('#email', 'not-an-email');
    await v.page.fill('#password', 'short');
    await v.page.click('text=Create account');
    await v.look('sign-up-errors');
    const errors = await v.page.textContent('.error-summary');
    assert.match(errors!, /correct format[\s\S]*at least 12 characters/);
    assert.equal(await v.page.inputValue('#name'), 'New Person');
    await v.visit('/forgot-password', 'forgot-password');
    await v.visit('/reset-password', 'reset-password');
    await v.page.fill('#token', 'nonsense');
    await v.page.fill('#newPassword', PASSWORD);
    await v.page.click('text=Set password');
    await v.look('reset-password-bad-token');
    assert.match((await v.page.textContent('.error-summary'))!, /code from the link/);
    await v.context.close();
  });

  test('return paths: only paths on this site', () => {
    assert.equal(safeReturnPath('/checkout'), '/checkout');
    assert.equal(safeReturnPath('/account/orders?cursor=a#x'), '/account/orders?cursor=a#x');
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      '',
      'checkout',
      '/\t/evil.example',
    ]) {
      assert.equal(safeReturnPath(bad), '/account', bad);
    }
  });
});

describe('the sign-in page counts password guesses with the API log-in', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ RATE_LIMIT_ENABLED: 'true', LOGIN_CLIENT_MINUTE_MAX: '5' });
  });
  after(() => t.close());

  test('three wrong API log-ins and two wrong page sign-ins spend the minute; the next page guess is 429', async () => {
    const email = uniqueEmail('guessed');
    await t.app.identity.service.signUp({ email, password: PASSWORD, name: 'Guessed', role: 'customer' });
    for (let i = 0; i < 3; i++) {
      const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: `wrong guess ${i}` } });
      assert.equal(res.statusCode, 401);
    }
    const page = (password: string) =>
      t.server.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ email, password }).toString(),
      });
    for (let i = 0; i < 2; i++) assert.equal((await page(`page guess ${i}`)).statusCode, 400);
    const refused = await page(PASSWORD);
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.match(refused.body, /Too many attempts/);
    assert.equal(refused.cookies.length, 0, 'no session for a refused guess, even a right one');
  });
});
