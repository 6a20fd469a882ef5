import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { ConfigError, loadConfig } from '../src/app/config.ts';
import { BOUNDED_ROUTES, ROUTE_PRIORITIES } from '../src/app/route-priorities.ts';
import { memoryLimits } from '../src/platform/http/load-shedding.ts';
import { renderMetrics } from '../src/platform/observability/metrics.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

/**
 * Load shedding (platform/http/load-shedding.ts, classes in app/route-priorities.ts) on a whole
 * app with real PostgreSQL, put under real pressure: a heap threshold it is always over (level 1,
 * steady), and an event loop really blocked by a busy loop (level 2, and recovery when it stops).
 * Under overload as a shopper meets it, from a real process: overload.test.ts.
 */
const ADDRESS = { name: 'Ada Maker', line1: '1 Loom Lane', city: 'Lyon', postalCode: '69001', country: 'FR' } as const;

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

type Auth = { authorization: string };

/**
 * A setup request, sent again while it is shed: on a busy machine the suite with a 30 ms delay
 * threshold can be over it before any pressure of the test's own.
 */
async function admitted(server: FastifyInstance, opts: InjectOptions): Promise<LightMyRequestResponse> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await server.inject(opts);
    if (res.statusCode !== 503 || !res.body.includes('OVERLOADED') || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sign-up never signs in (it answers 202 either way, revealing nothing): a sign-up, then a log-in. */
async function signUp(server: FastifyInstance, role: 'seller' | 'customer'): Promise<Auth> {
  const payload = { email: `${unique(role)}@example.test`, password: 'correct horse battery', name: `A ${role}`, role };
  const signup = await admitted(server, { method: 'POST', url: '/api/v1/auth/signup', payload });
  assert.equal(signup.statusCode, 202, signup.body);
  const res = await admitted(server, {
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: payload.email, password: payload.password },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { authorization: `Bearer ${res.json<{ token: string }>().token}` };
}

type Shop = { seller: Auth; customer: Auth; productId: string; variantId: string; orderId: string };

/** A seller with one product in stock (all over HTTP), and a customer with one order, made before any pressure. */
async function openShop(server: FastifyInstance): Promise<Shop> {
  const seller = await signUp(server, 'seller');
  const customer = await signUp(server, 'customer');
  const slug = unique('shop');
  let res = await admitted(server, { method: 'POST', url: '/api/v1/shops', headers: seller, payload: { slug, name: `Shop ${slug}` } });
  assert.equal(res.statusCode, 201, res.body);
  res = await admitted(server, {
    method: 'POST',
    url: '/api/v1/products',
    headers: seller,
    payload: {
      title: 'Shed bowl',
      description: 'Thrown by hand',
      status: 'published',
      variants: [{ options: { size: 'M' }, price: 2500 }],
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const product = res.json<{ id: string; variants: Array<{ id: string }> }>();
  const variantId = product.variants[0]!.id;
  res = await admitted(server, {
    method: 'POST',
    url: `/api/v1/inventory/variants/${variantId}/restock`,
    headers: seller,
    payload: { quantity: 100 },
  });
  assert.equal(res.statusCode, 200, res.body);
  const order = await checkout(server, customer, variantId);
  assert.equal(order.statusCode, 202, order.body);
  return { seller, customer, productId: product.id, variantId, orderId: order.json<{ order: { id: string } }>().order.id };
}

function checkout(server: FastifyInstance, customer: Auth, variantId: string): Promise<LightMyRequestResponse> {
  return server.inject({
    method: 'POST',
    url: '/api/v1/checkout',
    headers: { ...customer, 'idempotency-key': unique('key') },
    payload: { lines: [{ variantId, quantity: 1 }], shippingAddress: ADDRESS },
  });
}

const get = (server: FastifyInstance, url: string, headers: Record<string, string> = {}) => server.inject({ method: 'GET', url, headers });

function assertShed(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 503, `${what}: ${res.statusCode} ${res.body}`);
  assert.equal(res.headers['retry-after'], '7', what);
  const body = res.json<{ error: { code: string; message: string } }>();
  assert.equal(body.error.code, 'OVERLOADED', what);
  assert.match(body.error.message, /overloaded; try again in 7 s/);
}

function assertServed(res: LightMyRequestResponse, status: number, what: string): void {
  assert.equal(res.statusCode, status, `${what}: ${res.statusCode} ${res.body}`);
}

async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `atelier_http_shed_total` by `class/reason`, from the process's registry (what its metrics listener serves). */
async function shedCounts(): Promise<Record<string, number>> {
  const text = await renderMetrics();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^atelier_http_shed_total\{class="(\w+)",reason="(\w+)"\} (\d+)/gm)) out[`${m[1]}/${m[2]}`] = Number(m[3]);
  return out;
}

/** `atelier_http_requests_total{status_class="5xx"}` by `METHOD route`. */
function serverErrors(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^atelier_http_requests_total\{route="([^"]+)",method="(\w+)",status_class="5xx"\} (\d+)/gm)) {
    out[`${m[2]} ${m[1]}`] = Number(m[3]);
  }
  return out;
}

const BASE = {
  SHED_ENABLED: 'true',
  SHED_RETRY_AFTER_SECONDS: '7',
  SHED_SAMPLE_INTERVAL_MS: '50',
  // These tests make pressure at once; the warm-up after a start is test/startup-shedding.test.ts's.
  SHED_WARM_UP_MS: '0',
  SHED_EVENT_LOOP_UTILIZATION: '0',
};

describe('load shedding settings', () => {
  const pick = (env: Record<string, string>) => loadConfig({ DEMO_SEED: 'false', ...env }).loadShedding;

  test('defaults: on, 100 ms of event-loop delay, no utilisation, three quarters of the heap limit and of the memory limit, 64 in flight, 32 checkouts', () => {
    const limits = memoryLimits();
    assert.deepEqual(pick({}), {
      enabled: true,
      eventLoopDelayMs: 100,
      eventLoopUtilization: 0,
      heapUsedBytes: Math.round(limits.heapBytes * 0.75),
      rssBytes: Math.round(limits.memoryBytes * 0.75),
      retryAfterSeconds: 5,
      sampleIntervalMs: 100,
      warmUpMs: 3000,
      maxInFlight: 64,
      inFlightTargetMs: 50,
      boundedConcurrency: 32,
      boundedQueueMs: 200,
    });
    const set = pick({
      SHED_ENABLED: 'false',
      SHED_EVENT_LOOP_DELAY_MS: '0',
      SHED_EVENT_LOOP_UTILIZATION: '0',
      SHED_HEAP_USED_BYTES: '1000000',
      SHED_RSS_BYTES: '0',
      SHED_RETRY_AFTER_SECONDS: '30',
      SHED_SAMPLE_INTERVAL_MS: '250',
      SHED_WARM_UP_MS: '0',
      SHED_MAX_IN_FLIGHT: '0',
      SHED_IN_FLIGHT_TARGET_MS: '0',
      SHED_CHECKOUT_CONCURRENCY: '16',
      SHED_CHECKOUT_QUEUE_MS: '0',
    });
    assert.deepEqual(set, {
      enabled: false,
      eventLoopDelayMs: 0,
      eventLoopUtilization: 0,
      heapUsedBytes: 1_000_000,
      rssBytes: 0,
      retryAfterSeconds: 30,
      sampleIntervalMs: 250,
      warmUpMs: 0,
      maxInFlight: 0,
      inFlightTargetMs: 0,
      boundedConcurrency: 16,
      boundedQueueMs: 0,
    });
  });

  test('a bad value stops start-up naming the variable', () => {
    const limits = memoryLimits();
    const bad: Array<[string, string, RegExp]> = [
      ['SHED_ENABLED', 'maybe', /must be true or false/],
      ['SHED_EVENT_LOOP_DELAY_MS', '12ms', /whole number/],
      ['SHED_EVENT_LOOP_DELAY_MS', '60001', /60000/],
      ['SHED_EVENT_LOOP_UTILIZATION', '1.5', /from 0 to 1/],
      ['SHED_RETRY_AFTER_SECONDS', '0', /1/],
      ['SHED_SAMPLE_INTERVAL_MS', '5', /10/],
      ['SHED_MAX_IN_FLIGHT', '-1', /whole number/],
      ['SHED_CHECKOUT_CONCURRENCY', 'four', /whole number/],
      ['SHED_CHECKOUT_QUEUE_MS', '60001', /60000/],
      ['SHED_HEAP_USED_BYTES', String(limits.heapBytes), /below the V8 heap limit/],
      ['SHED_RSS_BYTES', String(limits.memoryBytes + 1), /below the memory limit/],
    ];
    for (const [variable, value, message] of bad) {
      assert.throws(
        () => loadConfig({ DEMO_SEED: 'false', [variable]: value }),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && message.test(err.message),
        `${variable}=${value}`,
      );
    }
  });
});

describe('load shedding at level 1 (heap used over its threshold)', () => {
  let t: TestApp;
  let shop: Shop;
  before(async () => {
    // Every sample is over 1 byte of heap; level 2 (half-way to the heap limit) is never reached.
    t = await createTestApp({ ...BASE, SHED_HEAP_USED_BYTES: '1', SHED_EVENT_LOOP_DELAY_MS: '0', SHED_RSS_BYTES: '0' });
    shop = await openShop(t.server);
  });
  after(async () => {
    await t?.close();
  });

  test('every route in the priority table and the bounded routes is a route of the server', () => {
    for (const key of [...ROUTE_PRIORITIES.keys(), ...BOUNDED_ROUTES]) {
      const [method, url] = key.split(' ') as [string, string];
      assert.ok(t.server.hasRoute({ method: method as 'GET', url }), `${key} names no route`);
    }
  });

  test('anonymous browsing and reporting get 503 OVERLOADED with Retry-After; buying, signed-in browsing and probes are served', async () => {
    const before = await shedCounts();
    const { seller, customer, productId, variantId, orderId } = shop;

    for (const url of ['/api/v1/categories', `/api/v1/products/${productId}`, '/api/v1/products', '/api/v1/search?q=bowl']) {
      assertShed(await get(t.server, url), `anonymous GET ${url}`);
    }
    assertShed(await get(t.server, '/api/v1/seller/reports/summary', seller), 'seller report');
    assertShed(await get(t.server, '/api/v1/no-such-route'), 'a request that matches no route');

    // Critical: checkout, order status, cart, and browsing by someone signed in (level 1 spares it).
    assertServed(await checkout(t.server, customer, variantId), 202, 'checkout');
    assertServed(await get(t.server, `/api/v1/orders/${orderId}`, customer), 200, 'order status');
    assertServed(await get(t.server, '/api/v1/cart', customer), 200, 'cart');
    assertServed(await get(t.server, `/api/v1/products/${productId}`, customer), 200, 'signed-in product page');
    // Normal (a seller's write) is shed only at level 2.
    const edit = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${productId}`,
      headers: seller,
      payload: { title: 'Edited bowl' },
    });
    assertServed(edit, 200, 'seller edit');
    for (const url of ['/health', '/ready']) assertServed(await get(t.server, url), 200, url);

    const after = await shedCounts();
    assert.equal((after['sheddable/heap'] ?? 0) - (before['sheddable/heap'] ?? 0), 6, JSON.stringify(after));
    assert.equal(after['normal/heap'] ?? 0, 0, JSON.stringify(after));
  });

  test('over a real connection, an anonymous page is refused at the front door, before Fastify; a signed-in one is not', async () => {
    const address = await t.server.listen({ port: 0, host: '127.0.0.1' });
    const before = await shedCounts();
    const before5xx = serverErrors(await renderMetrics());
    const page = `${address}/api/v1/products/${shop.productId}`;
    const refused = await fetch(page);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '7');
    assert.equal(refused.headers.get('x-request-id'), null, 'Fastify answered it (it sets x-request-id)');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'OVERLOADED');
    assert.equal((await fetch(`${page}?fields=all`, { method: 'HEAD' })).status, 503);
    assert.equal((await fetch(page, { headers: shop.customer })).status, 200);
    assert.equal((await fetch(page, { headers: { cookie: 'theme=dark; atelier_session=whatever' } })).status, 200);
    assert.equal((await fetch(`${address}/health`)).status, 200);
    const posted = await fetch(`${address}/api/v1/checkout`, {
      method: 'POST',
      headers: { ...shop.customer, 'content-type': 'application/json', 'idempotency-key': unique('key') },
      body: JSON.stringify({ lines: [{ variantId: shop.variantId, quantity: 1 }], shippingAddress: ADDRESS }),
    });
    assert.equal(posted.status, 202, await posted.text());
    const after = await shedCounts();
    assert.equal((after['sheddable/heap'] ?? 0) - (before['sheddable/heap'] ?? 0), 2, JSON.stringify(after));
    // Counted as 5xx answers of the route they would have matched, as the availability SLOs read them.
    const fiveXx = serverErrors(await renderMetrics());
    assert.equal((fiveXx['GET /api/v1/products/:id'] ?? 0) - (before5xx['GET /api/v1/products/:id'] ?? 0), 1, JSON.stringify(fiveXx));
    assert.equal((fiveXx['HEAD /api/v1/products/:id'] ?? 0) - (before5xx['HEAD /api/v1/products/:id'] ?? 0), 1, JSON.stringify(fiveXx));
  });
});

describe('load shedding under a blocked event loop (levels 1 and 2, and recovery)', () => {
  let t: TestApp;
  let shop: Shop;
  before(async () => {
    // Level 1 at 30 ms of mean event-loop delay, level 2 at 60 ms; the busy loop below makes far more.
    t = await createTestApp({ ...BASE, SHED_EVENT_LOOP_DELAY_MS: '30', SHED_HEAP_USED_BYTES: '0', SHED_RSS_BYTES: '0' });
    shop = await openShop(t.server);
  });
  after(async () => {
    await t?.close();
  });

  test('past twice the delay threshold normal routes are shed too, critical ones never; browsing returns when the pressure ends', async () => {
    const { seller, customer, productId, variantId, orderId } = shop;
    const product = `/api/v1/products/${productId}`;
    assertServed(await admitted(t.server, { method: 'GET', url: product }), 200, 'anonymous product page before the pressure');

    // The pressure: the event loop busy for 200 ms at a time with a 5 ms breather, the way a CPU-bound
    // request or a long GC pause holds it. The requests below are served in the breathers.
    let blocking = true;
    const spin = () => {
      if (!blocking) return;
      const end = performance.now() + 200;
      while (performance.now() < end);
      setTimeout(spin, 5);
    };
    setTimeout(spin, 5);
    try {
      await until('the sampled delay to pass level 2', async () => t.server.memoryUsage().eventLoopDelay > 60);
      assertShed(await get(t.server, product), 'anonymous product page');
      assertShed(await get(t.server, product, customer), 'signed-in product page (level 2)');
      const edit = await t.server.inject({ method: 'PATCH', url: product, headers: seller, payload: { title: 'Edited again' } });
      assertShed(edit, 'seller edit (level 2)');
      assertServed(await checkout(t.server, customer, variantId), 202, 'checkout');
      assertServed(await get(t.server, `/api/v1/orders/${orderId}`, customer), 200, 'order status');
      assertServed(await get(t.server, '/health'), 200, '/health');
      const counts = await shedCounts();
      assert.ok((counts['sheddable/event_loop_delay'] ?? 0) >= 1, JSON.stringify(counts));
      assert.ok((counts['normal/event_loop_delay'] ?? 0) >= 2, JSON.stringify(counts));
    } finally {
      blocking = false;
    }
    // Within a sample or two of the loop running freely again, browsing is served.
    await until('anonymous browsing to be served again', async () => (await get(t.server, product)).statusCode === 200, 10_000);
    assertServed(await get(t.server, '/api/v1/categories'), 200, 'categories after the pressure');
  });
});
