import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { launchBrowser, listen, openVisitor } from '../support/browser.ts';

/** The "we are busy" page: load shedding (platform/http/load-shedding.ts) refusing a page request. */
const HTML = { accept: 'text/html' };

describe('the busy page (load shedding, pages)', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    // Every sample is over 1 byte of heap: level 1 from the start (as in test/load-shedding.test.ts).
    t = await createTestApp({
      SHED_ENABLED: 'true',
      SHED_RETRY_AFTER_SECONDS: '7',
      SHED_SAMPLE_INTERVAL_MS: '50',
      SHED_WARM_UP_MS: '0',
      SHED_EVENT_LOOP_UTILIZATION: '0',
      SHED_EVENT_LOOP_DELAY_MS: '0',
      SHED_RSS_BYTES: '0',
      SHED_HEAP_USED_BYTES: '1',
    });
    base = await listen(t.server);
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${base}/products`)).status !== 503 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  });
  after(() => t?.close());

  test('a refused page is 503 with Retry-After in the site’s look (HTML, no script); the API and programs still get JSON', async () => {
    for (const path of ['/', '/products', '/categories/ceramics', '/search?q=mug', '/shops/any']) {
      // Over a real connection (refused at the front door) and through Fastify (inject).
      const answers = [
        await fetch(`${base}${path}`, { headers: HTML }).then(async (r) => ({
          status: r.status,
          headers: r.headers,
          body: await r.text(),
        })),
        await t.server.inject({ method: 'GET', url: path, headers: HTML }).then((r) => ({
          status: r.statusCode,
          headers: new Headers(r.headers as Record<string, string>),
          body: r.body,
        })),
      ];
      for (const res of answers) {
        assert.equal(res.status, 503, path);
        assert.equal(res.headers.get('retry-after'), '7', path);
        assert.match(res.headers.get('content-type')!, /^text\/html/, path);
        assert.equal(res.headers.get('cache-control'), 'no-store', path);
        assert.match(res.body, /<h1>We are very busy right now<\/h1>/, path);
        assert.match(res.body, /try again in 7 seconds/, path);
        assert.ok(!/<script type="module"/.test(res.body), 'no island script on the busy page');
      }
    }
    const program = await fetch(`${base}/products`);
    assert.equal(program.status, 503);
    assert.equal(((await program.json()) as { error: { code: string } }).error.code, 'OVERLOADED');
    const api = await fetch(`${base}/api/v1/products`, { headers: HTML });
    assert.equal(api.status, 503);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'OVERLOADED');
  });

  test('the busy page in a browser passes axe and looks like the site', async (ctx) => {
    const browser: Browser | null = await launchBrowser(ctx);
    if (!browser) return;
    try {
      const v = await openVisitor(browser, base, 'browse-busy');
      const res = await v.page.goto('/products');
      assert.equal(res?.status(), 503);
      await v.look('busy');
    } finally {
      await browser.close();
    }
  });
});
