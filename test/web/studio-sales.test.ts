import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signUpAdmin } from '../../src/modules/catalog/catalog.test-support.ts';
import { formatMoney, outboxFileName } from '../../src/modules/notifications/index.ts';
import { AdvanceBody } from '../../src/modules/orders/fulfilment/schemas.ts';
import { orderReference } from '../../src/shared/ids.ts';
import { ADDRESS, checkout, lines, listing, signUp, type Accepted, type Actor, type Listing } from '../checkout/support.ts';
import { launchBrowser, listen, openVisitor, type Visitor } from '../support/browser.ts';
import { unfold } from '../support/mail.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The studio's selling side and the console's orders (issue 15), in the browser and at the routes:
// a paid order shipped with its tracking number, a line refunded, reports with the chart and the
// CSV export, webhooks, the operator's refund; role checks and bad input.

let t: TestApp;
let base: string;
let buyer: Actor;
let buyerEmail: string;
let admin: Actor;
let shopA: Listing;
let shopB: Listing;
let hook: Server;
let hookUrl: string;

before(async () => {
  t = await createTestApp({ WEBHOOKS_ALLOW_INSECURE: 'true' });
  base = await listen(t.server);
  [buyer, admin, shopA, shopB] = await Promise.all([
    signUp(t.server, 'customer'),
    signUpAdmin(t),
    listing(t, [
      { price: 1250, stock: 50 },
      { price: 800, stock: 50 },
    ]),
    listing(t, [{ price: 3000, stock: 50 }]),
  ]);
  buyerEmail = (await t.app.identity.service.getAccount(buyer.id))!.email;
  hook = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});
after(async () => {
  hook?.close();
  await t?.close();
});

/** A paid order: two units of A's first variant, one of A's second, one of B's. */
async function paidOrder(): Promise<{ orderId: string; subA: string; subB: string }> {
  const res = await checkout(t.server, buyer, {
    lines: lines([shopA.variantIds[0]!, 2], [shopA.variantIds[1]!, 1], [shopB.variantIds[0]!, 1]),
    shippingAddress: ADDRESS,
  });
  assert.equal(res.statusCode, 202, res.body);
  await t.drainJobs();
  const orderId = res.json<Accepted>().order.id;
  const order = await t.app.orders.service.getOrder(buyer.id, orderId);
  assert.equal(order.status, 'paid');
  return {
    orderId,
    subA: order.subOrders.find((s) => s.shopId === shopA.shopId)!.id,
    subB: order.subOrders.find((s) => s.shopId === shopB.shopId)!.id,
  };
}

const cookie = (actor: Actor) => ({ cookie: `atelier_session=${actor.token}` });
const page = (actor: Actor, url: string) => t.server.inject({ method: 'GET', url, headers: { ...cookie(actor), accept: 'text/html' } });
const form = (actor: Actor, url: string, fields: Record<string, string>) =>
  t.server.inject({
    method: 'POST',
    url,
    headers: { ...cookie(actor), 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

async function mail(messageKey: string): Promise<string> {
  await t.drainJobs();
  return unfold(await readFile(path.join(t.app.config.mail.outboxDir, outboxFileName(messageKey)), 'utf8'));
}

const providerRefunds = (subOrderId: string) => t.provider.refunds().filter((r) => r.idempotencyKey.startsWith(`refund:${subOrderId}`));

describe('studio and console order pages: roles and bad input', () => {
  test("a seller gets the 404 page for another shop's order, its slip and its forms", async () => {
    const { subB } = await paidOrder();
    for (const url of [`/studio/orders/${subB}`, `/studio/orders/${subB}/packing-slip`, '/studio/orders/not-an-id']) {
      const res = await page(shopA.seller, url);
      assert.equal(res.statusCode, 404, url);
      assert.match(res.body, /<h1>Page not found<\/h1>/);
    }
    assert.equal((await form(shopA.seller, `/studio/orders/${subB}/advance`, { to: 'fulfilled' })).statusCode, 404);
    assert.equal((await form(shopA.seller, `/studio/orders/${subB}/refund`, { mode: 'full' })).statusCode, 404);
    assert.equal((await t.app.orders.service.getSellerSubOrder(shopB.seller.id, subB)).status, 'paid', 'nothing moved');
    const list = await page(shopA.seller, '/studio/orders');
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(subB), "another shop's order is not listed");
  });

  test('roles: customers are sent to open a shop, admins and sellers are refused the other office, visitors sign in', async () => {
    const { orderId } = await paidOrder();
    const customer = await page(buyer, '/studio/orders');
    assert.equal(customer.statusCode, 303);
    assert.equal(customer.headers.location, '/studio/start');
    assert.equal((await page(admin, '/studio/orders')).statusCode, 403);
    assert.equal((await page(shopA.seller, '/console/orders')).statusCode, 403);
    assert.equal((await page(shopA.seller, `/console/orders/${orderId}`)).statusCode, 403);
    assert.equal((await form(buyer, `/console/orders/${orderId}/refund`, { mode: 'full' })).statusCode, 403);
    const visitor = await t.server.inject({ method: 'GET', url: '/studio/reports' });
    assert.equal(visitor.statusCode, 303);
    assert.equal(visitor.headers.location, '/sign-in?next=%2Fstudio%2Freports');
    assert.equal((await page(admin, `/console/orders/${orderId}`)).statusCode, 200);
  });

  test('a refund amount that is not money, or more than was paid, is a field error and refunds nothing', async () => {
    const { orderId, subA } = await paidOrder();
    const url = `/studio/orders/${subA}/refund`;
    for (const [amount, message] of [
      ['abc', 'Enter the amount as a number of USD'],
      ['', 'Enter the amount to refund'],
      ['0', 'Enter an amount more than 0'],
      ['33.01', 'Enter at most 33'],
      ['-5', 'Enter the amount as a number'],
    ] as const) {
      const res = await form(shopA.seller, url, { mode: 'amount', amount, key: `k-${amount || 'empty'}` });
      assert.equal(res.statusCode, 400, `${amount}: ${res.statusCode}`);
      assert.match(res.body, /There is a problem/);
      assert.ok(res.body.includes(message), `${amount}: ${message}`);
      assert.match(res.body, /aria-invalid="true"/);
    }
    const lineTooMany = await form(shopA.seller, url, { mode: 'lines', 'qty-0': '3', key: 'k-lines' });
    assert.equal(lineTooMany.statusCode, 400);
    // Line 0 is either line of the sub-order (2 or 1 units: lines made in one millisecond have no set order); 3 is too many for both.
    assert.match(lineTooMany.body, /Enter at most [12]\b/, 'too many units of a line');
    const noLine = await form(shopA.seller, url, { mode: 'lines', 'qty-0': '0', 'qty-1': '0', key: 'k-none' });
    assert.equal(noLine.statusCode, 400);
    assert.ok(noLine.body.includes('Enter how many units of at least one line'), 'no line chosen');
    const ship = await form(shopA.seller, `/studio/orders/${subA}/advance`, {
      to: 'shipped',
      trackingNumber: 'X1',
      trackingUrl: 'javascript:alert(1)',
    });
    assert.equal(ship.statusCode, 400);
    assert.ok(ship.body.includes('Enter the carrier of this tracking number'), 'a tracking number without carrier');
    assert.ok(ship.body.includes('Enter a link starting with https://'), 'a script link');
    // The operator's form says the same.
    const consoleRes = await form(admin, `/console/orders/${orderId}/refund`, {
      mode: 'amount',
      amount: 'abc',
      subOrderId: subA,
      key: 'k-op',
    });
    assert.equal(consoleRes.statusCode, 400);
    assert.ok(consoleRes.body.includes('Enter the amount as a number'), 'the console form');
    assert.equal(providerRefunds(subA).length, 0, 'nothing was refunded');
    const bad = await page(admin, '/console/orders?order=zz');
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.body.includes('8-character reference'), 'a bad order search');
  });
  test('a refund form post without a known mode is a field error and refunds nothing', async () => {
    const { orderId, subA } = await paidOrder();
    // Only the whole-order form sends mode=full; a post that lost its mode or carries another word
    // must not be read as "refund everything".
    for (const fields of [{}, { mode: 'everything' }, { mode: 'FULL' }, { mode: '' }] as Array<Record<string, string>>) {
      const res = await form(shopA.seller, `/studio/orders/${subA}/refund`, { ...fields, amount: '5.00', key: 'k-mode' });
      assert.equal(res.statusCode, 400, `${JSON.stringify(fields)}: ${res.statusCode}`);
      assert.match(res.body, /There is a problem/);
      assert.ok(res.body.includes('Choose how to refund'), JSON.stringify(fields));
      const op = await form(admin, `/console/orders/${orderId}/refund`, { ...fields, subOrderId: subA });
      assert.equal(op.statusCode, 400, `console ${JSON.stringify(fields)}: ${op.statusCode}`);
      assert.ok(op.body.includes('Choose how to refund'), `console ${JSON.stringify(fields)}`);
    }
    await t.drainJobs();
    assert.equal(providerRefunds(subA).length, 0, 'nothing was refunded');
    const sub = await t.app.orders.service.getSellerSubOrder(shopA.seller.id, subA);
    assert.equal(sub.refunded.amount, 0);
    assert.equal(sub.refunds.length, 0);
    assert.equal(sub.status, 'paid');
  });
  test("the ship form's fields hold as much as the API takes, and the form refuses what the API refuses", async () => {
    const { subA } = await paidOrder();
    const res = await page(shopA.seller, `/studio/orders/${subA}`);
    assert.equal(res.statusCode, 200);
    const { carrier, trackingNumber, trackingUrl } = AdvanceBody.properties;
    for (const [id, limit] of [
      ['carrier', carrier.maxLength],
      ['tracking-number', trackingNumber.maxLength],
      ['tracking-url', trackingUrl.maxLength],
    ] as const) {
      assert.ok(limit, id);
      assert.match(res.body, new RegExp(`<input id="${id}"[^>]* maxlength="${limit}"`), `${id} takes ${limit} characters`);
    }
    const long = await form(shopA.seller, `/studio/orders/${subA}/advance`, {
      to: 'shipped',
      carrier: 'c'.repeat(carrier.maxLength! + 1),
      trackingNumber: '1'.repeat(trackingNumber.maxLength! + 1),
    });
    assert.equal(long.statusCode, 400);
    assert.ok(long.body.includes(`Enter the carrier in at most ${carrier.maxLength} characters`), 'a carrier too long');
    assert.ok(long.body.includes('Enter the tracking number as the carrier gave it'), 'a tracking number too long');
    assert.equal((await t.app.orders.service.getSellerSubOrder(shopA.seller.id, subA)).status, 'paid', 'nothing moved');
  });
});

/** Tabs from the focused element until `name` (a button's or a field's accessible name) has focus. */
async function tabTo(p: Page, name: RegExp, most = 12): Promise<void> {
  for (let i = 0; i < most; i++) {
    await p.keyboard.press('Tab');
    const focused = await p.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
      return `${label ?? ''} ${el.textContent ?? ''}`.trim();
    });
    if (name.test(focused)) return;
  }
  throw new Error(`${String(name)} was not reached by Tab`);
}

async function seller(browser: Browser, suite: string, opts: { javaScriptEnabled?: boolean } = {}, actor = shopA.seller): Promise<Visitor> {
  const v = await openVisitor(browser, base, suite, opts);
  await v.context.addCookies([{ name: 'atelier_session', value: actor.token, url: base }]);
  return v;
}

describe('studio sales in the browser', () => {
  test('orders → ship with tracking → line refund → slip; reports chart and CSV; webhooks; the console refunds', async (ctx) => {
    const browser = await launchBrowser(ctx);
    if (!browser) return;
    const started = Date.now();
    try {
      const { orderId, subA } = await paidOrder();
      const ref = orderReference(orderId);
      const v = await seller(browser, 'studio-sales');
      const p = v.page;

      // The list, filtered by status, then the order.
      await v.visit('/studio/orders', 'orders');
      await p.getByLabel('Status').selectOption('paid');
      await p.getByRole('button', { name: 'Show orders' }).click();
      await p.waitForURL(/status=paid/);
      await p.getByRole('link', { name: `Order ${ref}` }).click();
      await p.waitForURL(`**/studio/orders/${subA}`);
      await v.look('order');
      assert.ok(await p.getByText('1 Loom Lane').isVisible(), 'the address is shown');
      assert.equal(await p.getByRole('button', { name: 'Mark delivered' }).count(), 0, 'only the moves allowed now');

      // Ship by keyboard, with carrier and tracking number.
      await p.getByLabel('Carrier').focus();
      await p.keyboard.type('ups');
      await tabTo(p, /^Tracking number/);
      await p.keyboard.type('1Z999AA1');
      await tabTo(p, /^Mark shipped$/);
      await p.keyboard.press('Enter');
      await p.waitForURL(/done=shipped/);
      await p.getByText('Marked shipped').waitFor();
      assert.equal(await p.getByRole('button', { name: 'Mark shipped' }).count(), 0);
      const shipped = await mail(`order-shipped:${subA}`);
      assert.match(shipped, new RegExp(`^To: ${buyerEmail}$`, 'm'));
      assert.match(shipped, /Tracking number: 1Z999AA1$/m);

      // Refund one unit of the second line (8.00), by keyboard.
      const sub = await t.app.orders.service.getSellerSubOrder(shopA.seller.id, subA);
      const second = sub.lines.find((l) => l.variantId === shopA.variantIds[1])!;
      const label = `Refund quantity of ${second.title} (${Object.values(second.options).join(' / ')})`;
      await p.getByLabel(label).focus();
      await p.keyboard.press('Control+A');
      await p.keyboard.type('1');
      await tabTo(p, /^Refund lines$/);
      await p.keyboard.press('Enter');
      await p.waitForURL(/done=refunded/);
      await v.look('refunded');
      const refunds = (await t.app.orders.service.getSellerSubOrder(shopA.seller.id, subA)).refunds;
      assert.equal(refunds.length, 1);
      assert.deepEqual(refunds[0]!.amount, { amount: 800, currency: 'USD' });
      const refundMail = await mail(`order-refunded:${refunds[0]!.id}`);
      assert.ok(refundMail.includes(`${formatMoney(800, 'USD')} refunded`), refundMail);
      assert.deepEqual(
        providerRefunds(subA).map((r) => r.amount),
        [800],
      );
      assert.ok(await p.locator('table.refunds').getByText('Refunded').isVisible(), 'the refund is listed');

      // The packing slip: print-friendly, with a Print button.
      await p.getByRole('link', { name: 'Packing slip' }).click();
      await p.waitForURL(`**/studio/orders/${subA}/packing-slip`);
      await p.getByRole('button', { name: 'Print' }).waitFor();
      await v.look('packing-slip');
      await p.emulateMedia({ media: 'print' });
      assert.equal(await p.locator('.office-nav').isVisible(), false, 'the print style sheet leaves the frame out');
      await p.emulateMedia({ media: 'screen' });

      // Reports: the chart drawn by uPlot, and the CSV export to its download.
      await p.goto('/studio/reports');
      await p.locator('.chart-plot canvas').first().waitFor();
      assert.ok(
        await p
          .locator('.sales-report')
          .getByRole('cell', { name: /^Bowl / })
          .first()
          .isVisible(),
        'the top products are listed',
      );
      await p.getByRole('button', { name: 'Export orders as CSV' }).click();
      await p.getByText('Preparing the file').waitFor();
      await t.drainJobs();
      const download = p.getByRole('link', { name: /Download the CSV/ });
      await download.waitFor();
      await v.look('reports-export');
      const csv = await (await p.request.get((await download.getAttribute('href'))!)).text();
      assert.match(csv.split('\n')[0]!, /sub_order_id.*ship_line1/);
      assert.ok(csv.includes('1 Loom Lane') && csv.includes(subA), 'the CSV has the lines and the address');

      // Webhooks: add an endpoint, a paid order is delivered to it, the answer is shown.
      await p.goto('/studio/webhooks');
      await p.getByLabel('Endpoint URL').fill(hookUrl);
      await p.getByRole('button', { name: 'Add endpoint' }).click();
      await p.getByText('Its signing secret').waitFor();
      await paidOrder();
      await t.drainJobs();
      await p.getByRole('button', { name: 'Refresh deliveries' }).click();
      await p.getByRole('cell', { name: 'HTTP 200' }).first().waitFor();
      const attempts = p.locator('.endpoint tbody tr').first().locator('td.num');
      assert.equal(await attempts.textContent(), '1');
      const redelivered = p.waitForResponse((r) => r.url().endsWith('/redeliver'));
      await p
        .getByRole('button', { name: /^Redeliver the order.paid delivery/ })
        .first()
        .click();
      assert.equal((await redelivered).status(), 202);
      await t.drainJobs();
      await p.getByRole('button', { name: 'Refresh deliveries' }).click();
      await p.locator('.endpoint tbody tr').first().locator('td.num', { hasText: '2' }).waitFor();
      await v.look('webhooks-redelivered');

      // The operator finds the order by the buyer's email and refunds an amount of it.
      const op = await seller(browser, 'console-orders', {}, admin);
      await op.visit('/console/orders', 'console-orders');
      await op.page.getByLabel("Buyer's email").fill(buyerEmail);
      await op.page.getByRole('button', { name: 'Find orders' }).click();
      await op.page.getByRole('link', { name: `Order ${ref}` }).click();
      await op.page.waitForURL(`**/console/orders/${orderId}`);
      const aId = (await t.app.orders.service.getOrderForOperator(orderId)).subOrders.findIndex((s) => s.id === subA);
      const prefix = aId === 0 ? '' : `sub${aId + 1}-`;
      await op.page.locator(`#${prefix}refund-amount`).fill('2.50');
      await op.page.locator(`#${prefix}refund-amount`).press('Enter');
      await op.page.waitForURL(/done=refunded/);
      await op.look('console-refunded');
      assert.deepEqual(
        providerRefunds(subA).map((r) => r.amount),
        [800, 250],
      );
      assert.deepEqual(v.problems, []);
      assert.deepEqual(op.problems, []);
      await op.context.close();
      await v.context.close();
    } finally {
      await browser.close();
    }
    ctx.diagnostic(`the browser test took ${Date.now() - started} ms`);
  });

  test('without JavaScript the order page still moves and refunds, and shows a bad amount as a field error', async (ctx) => {
    const browser = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const { subA } = await paidOrder();
      const v = await seller(browser, 'studio-sales-nojs', { javaScriptEnabled: false });
      const p = v.page;
      await p.goto(`/studio/orders/${subA}`);
      await p.getByRole('button', { name: 'Mark fulfilled' }).click();
      await p.getByText('Marked fulfilled').waitFor();
      await p.getByLabel('Amount to refund').fill('abc');
      await p.getByRole('button', { name: 'Refund amount' }).click();
      await p.getByText('There is a problem').waitFor();
      await v.look('bad-amount');
      await p.getByLabel('Amount to refund').fill('5.00');
      await p.getByRole('button', { name: 'Refund amount' }).click();
      await p.getByText('Refunded: the buyer').waitFor();
      await p.getByRole('button', { name: 'Refund the whole order' }).click();
      await p.getByText('Everything paid for this order has been refunded').waitFor();
      await v.look('refunded-whole');
      assert.deepEqual(
        providerRefunds(subA)
          .map((r) => r.amount)
          .sort((a, b) => a - b),
        [500, 2800],
      );
      await v.context.close();
    } finally {
      await browser.close();
    }
  });
});
