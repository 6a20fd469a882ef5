import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen } from '../support/browser.ts';
import { safeReturnPath } from '../../src/web/forms.ts';
import { uniqueEmail } from '../../src/modules/identity/identity.test-support.ts';
import { PASSWORD, visitor } from './checkout-support.ts';

/** Sign-in, sign-up and reset pages: errors, return paths, and guesses counted with the API's. */
describe('sign-in pages', () => {
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

  test('sign-in errors keep the email, never the password; next= only returns to this site', async (ctx) => {
    browser ??= await launchBrowser(ctx);
    if (!browser) return;
    const email = uniqueEmail('known');
    await t.app.identity.service.signUp({ email, password: PASSWORD, name: 'Known Person', role: 'customer' });
    const v = await visitor(browser, base, 'sign-in', false);
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

  test('account, sign-in and checkout pages name the site once in their title', async () => {
    for (const [path, title] of [
      ['/sign-in', 'Sign in'],
      ['/sign-up', 'Create an account'],
      ['/checkout', 'Checkout'],
    ] as const) {
      const html = await (await fetch(`${base}${path}`)).text();
      assert.match(html, new RegExp(`<title>${title} · Atelier</title>`), path);
    }
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
      // Dot segments that normalise into a protocol-relative path.
      '/.//evil.example',
      '/..//evil.example',
      '/%2e//evil.example',
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
        headers: { origin: new URL(t.app.config.session.publicUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
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
