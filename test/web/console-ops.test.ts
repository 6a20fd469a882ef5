import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { AUDIT_EVENT } from '../../src/modules/audit/index.ts';
import { newId } from '../../src/shared/ids.ts';
import { enqueue, runDueJobsOnce } from '../../src/platform/queue/queue.ts';
import type { DatabaseHandle } from '../../src/platform/postgres/database.ts';
import { signUpAndLogIn } from '../support/accounts.ts';
import { settled } from '../support/jobs.ts';
import { launchBrowser, listen, openVisitor, type Visitor } from '../support/browser.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { ADDRESS, checkout, lines, listing, signUp } from '../checkout/support.ts';

/**
 * The console's running side in a browser: Now (figures, charts, live by polling the API), failed
 * jobs retried (and then succeeding) and discarded from the page, where the data is, the audit log
 * filtered, its chain verified, then broken by hand in the database and found broken. Plus the
 * route-level checks: signed out, seller and customer; bad filters.
 */
const PASSWORD = 'correct horse battery';
const FLAKY = 'console-test.flaky';
let t: TestApp;
let base: string;
let adminEmail: string;
let adminId: string;
let shard1: DatabaseHandle;
let providerDown = true;
const flaky = {
  [FLAKY]: async () => {
    if (providerDown) throw new Error('the provider is down\nHTTP 503 from https://provider.example/charges: try again later');
  },
};

before(async () => {
  t = await createTestApp();
  base = await listen(t.server);
  adminEmail = `admin-${randomUUID()}@example.test`;
  adminId = (await t.app.identity.service.createAccount({ email: adminEmail, password: PASSWORD, name: 'Olive Operator', role: 'admin' }))
    .id;
  shard1 = t.app.stores.all().find((h) => h.name === 'shard1')!;
});
after(() => t?.close());

/** The session cookie of the page sign-in, for plain requests. */
async function signInCookie(email: string): Promise<string> {
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: PASSWORD }).toString(),
  });
  assert.equal(res.status, 303);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

async function accountCookie(role: 'seller' | 'customer'): Promise<string> {
  const email = `${role}-${randomUUID()}@example.test`;
  const res = await signUpAndLogIn(t.server, { email, password: PASSWORD, name: `A ${role}`, role });
  assert.equal(res.statusCode, 200, res.body);
  return signInCookie(email);
}

const PAGES = ['/console', '/console/jobs', '/console/data', '/console/audit', '/console/audit/verify'];

describe('console ops pages: who may open them', () => {
  test('signed out: sent to sign in and back; seller and customer: the 403 page; posts refused too', async () => {
    for (const path of PAGES) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/sign-in?next=${encodeURIComponent(path)}`);
    }
    for (const role of ['seller', 'customer'] as const) {
      const cookie = await accountCookie(role);
      for (const path of PAGES) {
        const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
        assert.equal(res.status, 403, `${role} ${path}`);
        assert.match(await res.text(), /The console is for operators/);
      }
      const post = await fetch(`${base}/console/jobs/shard1/1/retry`, {
        method: 'POST',
        headers: { cookie, origin: base },
        redirect: 'manual',
      });
      assert.equal(post.status, 403);
    }
  });

  test('bad audit filters: an error summary and a 400, never a 500; a job that is not failed: a notice', async () => {
    const cookie = await signInCookie(adminEmail);
    const res = await fetch(`${base}/console/audit?from=yesterday&to=2026-01-01`, { headers: { cookie } });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /There is a problem/);
    assert.match(html, /Enter the start date as a date/);
    const range = await fetch(`${base}/console/audit?from=2026-02-01&to=2026-01-01&cursor=nonsense`, { headers: { cookie } });
    assert.equal(range.status, 400);
    assert.match(await range.text(), /The end date is before the start date/);
    for (const path of ['/console/jobs/shard1/999999/retry', '/console/jobs/nowhere/1/discard', '/console/jobs/shard1/x/retry']) {
      const post = await fetch(`${base}${path}`, { method: 'POST', headers: { cookie, origin: base }, redirect: 'manual' });
      assert.equal(post.status, 303, path);
      assert.match(post.headers.get('location')!, /^\/console\/jobs\?done=gone/);
    }
    const notice = await fetch(`${base}/console/jobs?done=gone&job=shard1:999999`, { headers: { cookie } });
    assert.match(await notice.text(), /Job shard1:999999 is no longer failed/);
    const forged = await fetch(`${base}/console/jobs?done=retried&job=${encodeURIComponent('<b>x</b>')}`, { headers: { cookie } });
    assert.match(await forged.text(), /The job will run again/);
  });

  test('the audit log pages by keyset, newest first, keeping the filters', async () => {
    for (let i = 1; i <= 30; i++) {
      const payload = {
        actor: { accountId: adminId, role: 'admin', ip: '192.0.2.1', userAgent: 'test' },
        action: 'test.paged',
        targetType: 'thing',
        targetId: `thing-${i}`,
        before: { n: i - 1 },
        after: { n: i },
        at: new Date().toISOString(),
      };
      await t.app.audit.service.append({ id: newId(), type: AUDIT_EVENT, occurredAt: new Date().toISOString(), payload });
    }
    const cookie = await signInCookie(adminEmail);
    const first = await (await fetch(`${base}/console/audit?action=test.paged`, { headers: { cookie } })).text();
    const targets = (html: string) => [...html.matchAll(/<code class="audit-id">(thing-\d+)<\/code>/g)].map((m) => m[1]);
    assert.deepEqual(
      targets(first),
      Array.from({ length: 25 }, (_, i) => `thing-${30 - i}`),
    );
    const older = /href="(\/console\/audit\?action=test\.paged&amp;cursor=\d+)">Older entries/.exec(first)?.[1];
    assert.ok(older, 'a link to older entries, with the filter');
    const second = await (await fetch(`${base}${older.replaceAll('&amp;', '&')}`, { headers: { cookie } })).text();
    assert.deepEqual(targets(second), ['thing-5', 'thing-4', 'thing-3', 'thing-2', 'thing-1']);
    assert.match(second, /href="\/console\/audit\?action=test\.paged">Newest entries/);
    assert.doesNotMatch(second, /Older entries/);
  });

  test('without JavaScript the Now page has its figures and every chart as a table', async () => {
    const cookie = await signInCookie(adminEmail);
    const res = await fetch(`${base}/console`, { headers: { cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const html = await res.text();
    for (const words of ['Orders a minute', 'Error rate', 'p99 latency', 'Cache hit ratio', 'Replica lag', 'Jobs waiting', 'Breakers']) {
      assert.ok(html.includes(`<dt>${words}</dt>`), words);
    }
    assert.equal(html.match(/<details class="chart-table">/g)?.length, 6);
    assert.match(html, /data-island="console-now"/);
  });
});

/** A job of FLAKY on shard1 that failed its only attempt; its id. */
async function failedJob(n: number): Promise<string> {
  providerDown = true;
  await enqueue(shard1.db, { task: FLAKY, payload: { n }, maxAttempts: 1 });
  await runDueJobsOnce(shard1, flaky, t.app.log);
  await settled(shard1.db, FLAKY);
  const mine = (await t.app.ops.jobs.failed(100)).filter((j) => j.task === FLAKY && j.database === 'shard1');
  return mine.map((j) => j.id).sort((a, b) => Number(b) - Number(a))[0]!;
}

async function jobExists(id: string): Promise<boolean> {
  const { rows } = await shard1.pool.query('select 1 from graphile_worker._private_jobs where id = $1::bigint', [id]);
  return rows.length > 0;
}

/** A paid order, made over the API (the Now figures count it when its payment is collected). */
async function placeOrder(): Promise<void> {
  const item = await listing(t, [{ price: 1250, stock: 5 }]);
  const buyer = await signUp(t.server, 'customer');
  const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202, res.body);
  await t.drainJobs();
}

const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"] dd`).first().textContent();

async function nowPage(v: Visitor): Promise<void> {
  // Screenshots and axe where the page has changed (each look costs a second or two on a busy machine).
  await v.page.goto('/console');
  assert.equal(await figure(v.page, 'orders'), '0');
  assert.match((await figure(v.page, 'errors'))!, /^\d+\.\d %$|^no requests$/);
  assert.match((await figure(v.page, 'p99'))!, /^\d+ ms$|^\d+\.\d\d s$|^no requests$/);
  assert.equal(await figure(v.page, 'breakers'), 'all closed');
  await v.page.waitForSelector('.chart-plot canvas');
  assert.ok((await v.page.locator('.chart-plot canvas').count()) >= 4, 'the island drew the charts');
  const firstAt = await v.page.getAttribute('.now', 'data-at');
  // A chart is drawn once and fed each poll's figures: its canvas is the same element afterwards.
  const ordersChart = v.page.locator('figure.chart', { hasText: 'Orders a minute' }).locator('.chart-plot canvas');
  await ordersChart.evaluate((canvas) => canvas.setAttribute('data-drawn-first', ''));
  await placeOrder();
  // The island polls the API every 5 s: the order shows without a reload.
  await v.page.waitForFunction(() => document.querySelector('[data-figure="orders"] dd')?.textContent !== '0', null, { timeout: 15_000 });
  assert.notEqual(await v.page.getAttribute('.now', 'data-at'), firstAt);
  assert.equal(await ordersChart.getAttribute('data-drawn-first'), '', 'the chart was given the new figures, not drawn again');
  assert.match((await figure(v.page, 'sales-minute'))!, /^12\.50 [A-Z]{3}$/);
  assert.match((await v.page.textContent('.now-clock'))!, /updating every 5 seconds/);
  await v.page.waitForSelector('.chart-plot canvas');
  await v.look('now-after-order');
}

async function jobsPage(v: Visitor): Promise<{ retried: string; discarded: string }> {
  const retried = await failedJob(1);
  const discarded = await failedJob(2);
  await v.visit('/console/jobs', 'jobs');
  const row = (id: string) => v.page.locator(`tr[data-job="shard1:${id}"]`);
  assert.match((await row(retried).textContent())!, /the provider is down/);
  assert.match((await row(retried).textContent())!, /1 of 1/);
  await row(retried).getByText('The whole error').click();
  assert.match((await row(retried).textContent())!, /HTTP 503 from/);
  // By keyboard: focus the row's Retry and press Enter.
  await row(retried).getByRole('button', { name: 'Retry' }).focus();
  await v.page.keyboard.press('Enter');
  await v.page.waitForURL(/done=retried/);
  assert.match((await v.page.textContent('.notice'))!, new RegExp(`Job shard1:${retried} will run again`));
  providerDown = false;
  await runDueJobsOnce(shard1, flaky, t.app.log);
  await settled(shard1.db, FLAKY);
  assert.equal(await jobExists(retried), false, 'the retried job ran and succeeded');

  await row(discarded).getByRole('button', { name: 'Discard' }).click();
  await v.page.waitForURL(/done=discarded/);
  assert.match((await v.page.textContent('.notice'))!, new RegExp(`Job shard1:${discarded} was discarded`));
  assert.equal(await row(discarded).count(), 0);
  assert.equal(await jobExists(discarded), false);
  await v.look('jobs-discarded');
  return { retried, discarded };
}

async function dataPage(v: Visitor): Promise<void> {
  await v.page.goto('/console/data');
  const shards = (await v.page.textContent('section[aria-labelledby="data-shards"] tbody'))!;
  assert.match(shards, /shard0/);
  assert.match(shards, /shard1/);
  assert.match((await v.page.textContent('main'))!, /Replicas are off/);
  await v.page.getByRole('button', { name: 'Count the rows' }).click();
  await v.page.waitForURL(/rows=1/);
  assert.match((await v.page.textContent('section[aria-labelledby="data-shards"] tbody'))!, /\d+ rows in \d+ tables/);
  await v.look('data-counted');
}

/** Tabs from the Action field to the Search button, and returns the ids of what it passed. */
async function tabThroughFilters(page: Page): Promise<string[]> {
  await page.getByLabel('Action').focus();
  const seen: string[] = [];
  for (let i = 0; i < 14; i++) {
    const here = await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent || '');
    if (seen[seen.length - 1] !== here) seen.push(here);
    if (here === 'Search') break;
    await page.keyboard.press('Tab');
  }
  return seen;
}

async function auditPage(v: Visitor, jobs: { retried: string; discarded: string }): Promise<void> {
  await t.drainJobs();
  await v.page.goto('/console/audit');
  assert.ok((await v.page.locator('table.audit tbody tr').count()) >= 2);
  // Filters by keyboard: type, Tab on, Enter on Search.
  await v.page.getByLabel('Action').fill('');
  assert.deepEqual(await tabThroughFilters(v.page), ['action', 'target-type', 'target-id', 'actor-id', 'from', 'to', 'Search']);
  await v.page.getByLabel('Action').focus();
  await v.page.keyboard.type('job.retried');
  await v.page.getByLabel('Target id').focus();
  await v.page.keyboard.type(`shard1:${jobs.retried}`);
  await v.page.getByLabel('Actor id').focus();
  await v.page.keyboard.type(adminId);
  await v.page.getByRole('button', { name: 'Search' }).focus();
  await v.page.keyboard.press('Enter');
  await v.page.waitForURL(/action=job.retried/);
  const rows = v.page.locator('table.audit tbody tr');
  assert.equal(await rows.count(), 1);
  const entry = (await rows.first().textContent())!;
  const seq = Number(await rows.first().getAttribute('data-seq'));
  for (const part of [adminId, 'admin', 'job.retried', `shard1:${jobs.retried}`, 'the provider is down', '127.0.0.1', 'HeadlessChrome']) {
    assert.ok(entry.includes(part), `the entry shows ${part}: ${entry}`);
  }
  await v.look('audit-filtered');

  // By keyboard too; the search stays as it was.
  await v.page.getByRole('button', { name: 'Verify the chain' }).focus();
  await v.page.keyboard.press('Enter');
  await v.page.waitForURL(/\/console\/audit\/verify\?action=job.retried/);
  assert.match((await v.page.textContent('[role="status"]'))!, /The chain verifies/);
  assert.equal(await rows.count(), 1);
  await v.look('audit-verified');

  await tamper(`update audit_log set reason = 'nothing to see' where seq = $1`, [seq]);
  await v.page.getByRole('button', { name: 'Verify the chain' }).click();
  await v.page.waitForFunction(() => /broken/.test(document.querySelector('[role="status"]')?.textContent ?? ''));
  assert.match((await v.page.textContent('[role="status"]'))!, new RegExp(`The chain is broken at entry ${seq}\\b`));
  await v.look('audit-broken');
}

/** What an attacker with the database would do: a superuser session with triggers off, then the edit. */
async function tamper(text: string, params: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: t.env.CATALOG_DATABASE_URL });
  await client.connect();
  try {
    await client.query('set session_replication_role = replica');
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

describe('console ops pages in the browser', () => {
  test('Now live, jobs retried and discarded, data, the audit log filtered, verified and found broken', async (ctx) => {
    const browser: Browser | null = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const v = await openVisitor(browser, base, 'console-ops');
      const signIn = await v.context.request.post('/sign-in', {
        form: { email: adminEmail, password: PASSWORD },
        headers: { origin: base },
        maxRedirects: 0,
      });
      assert.equal(signIn.status(), 303);
      const started = Date.now();
      const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
        const at = Date.now();
        const value = await run();
        ctx.diagnostic(`${name}: ${Date.now() - at} ms`);
        return value;
      };
      await step('now', () => nowPage(v));
      const jobs = await step('jobs', () => jobsPage(v));
      await step('data', () => dataPage(v));
      await step('audit', () => auditPage(v, jobs));
      ctx.diagnostic(`all pages: ${Date.now() - started} ms`);
      assert.deepEqual(v.problems, []);
    } finally {
      await browser.close();
    }
  });
});
