import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildHttpServer } from '../../app/http.ts';
import { createEventBus } from '../../platform/events.ts';
import { auditRecorder } from '../audit/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import {
  ADDRESS,
  assertError,
  checkout,
  lines,
  listing,
  signUp,
  type Accepted,
  type Actor,
  type Listing,
} from '../../../test/checkout/support.ts';
import { drainUntil } from '../../../test/resiliency/outbound-support.ts';
import { createWebhooks, verifySignature } from './index.ts';
import { startReceiver, type Receiver } from './webhooks.test-support.ts';

/**
 * Seller webhooks end to end on real PostgreSQL (catalog + two shard databases) with a real local
 * HTTP receiver: registration rules and ownership, signed deliveries, and the dependency's failure
 * modes (down, slower than the timeout, flapping, down for good). Retries are fast here
 * (WEBHOOKS_RETRY_*), so a day's schedule plays out in seconds. The slow-endpoint bulkhead is
 * tested with real workers in test/webhooks-isolation.test.ts.
 */
const RETRY_WINDOW_SECONDS = 10;
let t: TestApp;
let receiver: Receiver;
let shopA: Listing;
let shopB: Listing;
let buyer: Actor;

before(async () => {
  t = await createTestApp({
    WEBHOOKS_ALLOW_INSECURE: 'true',
    WEBHOOKS_TIMEOUT_MS: '1000',
    WEBHOOKS_RETRY_BASE_MS: '20',
    WEBHOOKS_RETRY_MAX_DELAY_MS: '150',
    WEBHOOKS_RETRY_WINDOW_SECONDS: String(RETRY_WINDOW_SECONDS),
  });
  receiver = await startReceiver();
  [shopA, shopB] = [await listing(t, [{ price: 1500, stock: 100 }]), await listing(t, [{ price: 900, stock: 100 }])];
  buyer = await signUp(t.server, 'customer');
});
after(async () => {
  await receiver?.close();
  await t?.close();
});

type Registered = { endpoint: { id: string; url: string; status: string; notice: string | null }; secret: string };
type Delivery = {
  id: string;
  status: string;
  attempts: number;
  lastError: string | null;
  recentAttempts: Array<{ statusCode: number | null; error: string | null; durationMs: number }>;
};

const api = (method: 'GET' | 'POST' | 'DELETE', url: string, who: Actor | null, payload?: unknown): Promise<LightMyRequestResponse> =>
  t.server.inject({
    method,
    url: `/api/v1${url}`,
    headers: who ? who.headers : {},
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });

async function register(seller: Actor, url = receiver.url): Promise<Registered> {
  const res = await api('POST', '/seller/webhooks', seller, { url, eventTypes: ['order.paid'] });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<Registered>();
}

async function deliveries(seller: Actor, endpointId: string): Promise<Delivery[]> {
  const res = await api('GET', `/seller/webhooks/${endpointId}/deliveries`, seller);
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ deliveries: Delivery[] }>().deliveries;
}

/** Checks out one unit from each listing and runs the jobs until the order is paid. */
async function paidOrder(...from: Listing[]): Promise<string> {
  const res = await checkout(t.server, buyer, {
    lines: lines(...from.map((l) => [l.variantIds[0]!, 1] as [string, number])),
    shippingAddress: ADDRESS,
  });
  assert.equal(res.statusCode, 202, res.body);
  const { id } = res.json<Accepted>().order;
  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(id), 'paid');
  return id;
}

/** Runs due jobs (retries become due as their backoff passes) until `done` holds. */
const until = (done: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<number> =>
  drainUntil(t, 'webhook condition', async () => done(), timeoutMs);

describe('registering endpoints', () => {
  test('a seller registers, lists (no secret), and deletes its endpoints; the secret is shown once', async () => {
    const seller = await signUp(t.server, 'seller');
    const created = await register(seller);
    assert.match(created.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.endpoint.status, 'active');
    const list = await api('GET', '/seller/webhooks', seller);
    assert.equal(list.statusCode, 200);
    assert.equal(list.body.includes(created.secret), false);
    assert.deepEqual(
      list.json<{ endpoints: Array<{ id: string }> }>().endpoints.map((e) => e.id),
      [created.endpoint.id],
    );
    assert.equal((await api('DELETE', `/seller/webhooks/${created.endpoint.id}`, seller)).statusCode, 204);
    assert.equal(list.json<{ endpoints: unknown[] }>().endpoints.length, 1);
    assert.equal((await api('GET', '/seller/webhooks', seller)).json<{ endpoints: unknown[] }>().endpoints.length, 0);
    assertError(await api('DELETE', `/seller/webhooks/${created.endpoint.id}`, seller), 404, 'WEBHOOKS_ENDPOINT_NOT_FOUND');
  });

  test("a seller never sees or touches another seller's endpoint (404), customers are refused (403)", async () => {
    const owner = await signUp(t.server, 'seller');
    const other = await signUp(t.server, 'seller');
    const { endpoint } = await register(owner);
    for (const [method, url] of [
      ['DELETE', `/seller/webhooks/${endpoint.id}`],
      ['POST', `/seller/webhooks/${endpoint.id}/enable`],
      ['GET', `/seller/webhooks/${endpoint.id}/deliveries`],
    ] as const) {
      assertError(await api(method, url, other), 404, 'WEBHOOKS_ENDPOINT_NOT_FOUND');
    }
    assert.deepEqual((await api('GET', '/seller/webhooks', other)).json(), { endpoints: [] });
    assertError(await api('GET', '/seller/webhooks', buyer), 403, 'IDENTITY_FORBIDDEN');
    assert.equal((await api('GET', '/seller/webhooks', null)).statusCode, 401);
    // Still there for its owner.
    assert.equal((await api('GET', `/seller/webhooks/${endpoint.id}/deliveries`, owner)).statusCode, 200);
  });

  test('bad input is refused with 400 and the field at fault', async () => {
    const seller = await signUp(t.server, 'seller');
    const post = (payload: unknown) => api('POST', '/seller/webhooks', seller, payload);
    assertError(await post({ url: 'ftp://hooks.example.com/x', eventTypes: ['order.paid'] }), 400, 'WEBHOOKS_BAD_URL', 'body.url');
    assertError(await post({ url: 'not a url', eventTypes: ['order.paid'] }), 400, 'WEBHOOKS_BAD_URL', 'body.url');
    assertError(await post({ url: 'https://me:pw@hooks.example.com/', eventTypes: ['order.paid'] }), 400, 'WEBHOOKS_BAD_URL', 'body.url');
    assertError(await post({ url: receiver.url, eventTypes: ['order.teleported'] }), 400, 'INVALID_FIELD', 'body.eventTypes[0]');
    assertError(await post({ url: receiver.url, eventTypes: [] }), 400, 'INVALID_FIELD', 'body.eventTypes');
    assertError(await post({ url: receiver.url }), 400, 'MISSING_FIELD', 'body.eventTypes');
    assertError(await post({ url: receiver.url, eventTypes: ['order.paid'], secret: 'mine' }), 400, 'UNKNOWN_FIELD', 'body.secret');
    assertError(await api('GET', '/seller/webhooks/not-an-id/deliveries', seller), 400, 'INVALID_FIELD', 'params.id');
  });

  test('with insecure URLs off (production), http, loopback and private addresses are refused', async () => {
    // The same app, with the webhooks module built as production builds it.
    const events = createEventBus();
    const strict = createWebhooks({
      stores: t.app.stores,
      events,
      audit: auditRecorder(events),
      guards: t.app.identity.guards,
      settings: { ...t.app.config.webhooks, allowInsecure: false },
      log: t.app.log,
    });
    const server = await buildHttpServer({ ...t.app, modules: t.app.modules.map((m) => (m.name === 'webhooks' ? strict : m)) });
    try {
      const seller = await signUp(t.server, 'seller');
      const post = (url: string) =>
        server.inject({
          method: 'POST',
          url: '/api/v1/seller/webhooks',
          headers: seller.headers,
          payload: { url, eventTypes: ['order.paid'] },
        });
      assertError(await post(receiver.url), 400, 'WEBHOOKS_BAD_URL', 'body.url');
      for (const url of [
        'https://127.0.0.1:8443/hooks',
        'https://localhost/hooks',
        'https://[::1]/',
        'https://192.168.0.10/',
        'https://169.254.169.254/',
      ]) {
        assertError(await post(url), 400, 'WEBHOOKS_ADDRESS_NOT_ALLOWED', 'body.url');
      }
      assert.equal((await api('GET', '/seller/webhooks', seller)).json<{ endpoints: unknown[] }>().endpoints.length, 0);
    } finally {
      await server.close();
      await strict.close();
    }
  });
});

describe('deliveries', () => {
  test('each seller of a paid order gets one signed delivery with its own sub-orders only', async () => {
    receiver.behave({ status: 200 });
    const a = await register(shopA.seller);
    const b = await register(shopB.seller);
    const orderId = await paidOrder(shopA, shopB);
    await until(() => receiver.received.filter((r) => r.body.includes(orderId)).length >= 2);
    const got = receiver.received.filter((r) => r.body.includes(orderId));
    assert.equal(got.length, 2);
    for (const [reg, shop] of [
      [a, shopA],
      [b, shopB],
    ] as const) {
      const mine = got.filter((r) => verifySignature(r.headers['atelier-signature'] as string, r.body, reg.secret));
      assert.equal(mine.length, 1, 'exactly one delivery verifies with this seller’s secret');
      const r = mine[0]!;
      assert.equal(r.headers['atelier-event'], 'order.paid');
      assert.equal(r.headers['content-type'], 'application/json');
      const body = JSON.parse(r.body) as { type: string; data: { orderId: string; subOrders: Array<{ shopId: string; total: number }> } };
      assert.equal(body.type, 'order.paid');
      assert.equal(body.data.orderId, orderId);
      assert.deepEqual(
        body.data.subOrders.map((s) => s.shopId),
        [shop.shopId],
      );
      const [d] = await deliveries(shop.seller, reg.endpoint.id);
      assert.equal(d!.id, r.headers['atelier-delivery']);
      assert.equal(d!.status, 'delivered');
      assert.equal(d!.attempts, 1);
      assert.equal(d!.recentAttempts[0]!.statusCode, 200);
    }
    // A tampered body does not verify.
    assert.equal(
      verifySignature(got[0]!.headers['atelier-signature'] as string, got[0]!.body.replace('order.paid', 'order.pain'), a.secret),
      false,
    );
    await api('DELETE', `/seller/webhooks/${a.endpoint.id}`, shopA.seller);
    await api('DELETE', `/seller/webhooks/${b.endpoint.id}`, shopB.seller);
  });

  test('an event delivered twice to the subscriber makes one delivery per endpoint', async () => {
    receiver.behave({ status: 200 });
    const reg = await register(shopA.seller);
    const orderId = await paidOrder(shopA);
    await until(async () => (await deliveries(shopA.seller, reg.endpoint.id)).some((d) => d.status === 'delivered'));
    // Replay the order.paid event from the event log into the subscriber again (at-least-once bus).
    const db = t.app.stores.shards.forId(orderId);
    const { rows } = await db.pool.query<{ id: string; occurred_at: Date; payload: Record<string, unknown> }>(
      "select id::text, occurred_at, payload from platform_event_log where type = 'order.paid' and payload->>'orderId' = $1",
      [orderId],
    );
    const handler = t.app.events.tasks()['event:order.paid:webhooks']!;
    const event = { id: rows[0]!.id, type: 'order.paid', occurredAt: rows[0]!.occurred_at.toISOString(), payload: rows[0]!.payload };
    await handler(event, { database: db.name, jobId: '0', attempt: 1, maxAttempts: 1, log: t.app.log });
    await t.drainJobs();
    const list = await deliveries(shopA.seller, reg.endpoint.id);
    assert.equal(list.length, 1);
    assert.equal(receiver.received.filter((r) => r.body.includes(orderId)).length, 1);
    await api('DELETE', `/seller/webhooks/${reg.endpoint.id}`, shopA.seller);
  });
});

describe('when the endpoint fails', () => {
  // Back up, and no endpoint left over, before each test, even when an earlier one failed midway.
  beforeEach(async () => {
    await receiver.up();
    for (const seller of [shopA.seller, shopB.seller]) {
      const { endpoints } = (await api('GET', '/seller/webhooks', seller)).json<{ endpoints: Array<{ id: string }> }>();
      for (const e of endpoints) await api('DELETE', `/seller/webhooks/${e.id}`, seller);
    }
  });

  test('down: deliveries are retried with backoff and land once it is back (never lost)', async () => {
    receiver.behave({ status: 200 });
    const reg = await register(shopB.seller);
    await receiver.down();
    const orders = [await paidOrder(shopB), await paidOrder(shopB)];
    // Orders and their emails go on while the endpoint is down.
    await until(async () => (await deliveries(shopB.seller, reg.endpoint.id)).every((d) => d.attempts >= 3), 10_000);
    const failing = await deliveries(shopB.seller, reg.endpoint.id);
    assert.equal(failing.length, 2);
    for (const d of failing) {
      assert.equal(d.status, 'pending');
      assert.match(d.lastError ?? '', /ECONNREFUSED/);
    }
    const sent = await t.app.notifications.service.sentKeys();
    for (const id of orders) assert.ok(sent.has(`order-confirmation:${id}`));

    await receiver.up();
    await until(async () => (await deliveries(shopB.seller, reg.endpoint.id)).every((d) => d.status === 'delivered'));
    for (const id of orders) assert.equal(receiver.received.filter((r) => r.body.includes(id)).length, 1, 'delivered exactly once');
    const listed = (await api('GET', '/seller/webhooks', shopB.seller)).json<{
      endpoints: Array<{ id: string; status: string; consecutiveFailures: number }>;
    }>();
    const mine = listed.endpoints.find((e) => e.id === reg.endpoint.id)!;
    assert.deepEqual({ status: mine.status, consecutiveFailures: mine.consecutiveFailures }, { status: 'active', consecutiveFailures: 0 });
    await api('DELETE', `/seller/webhooks/${reg.endpoint.id}`, shopB.seller);
  });

  test('slower than the timeout: the attempt is cut at the timeout and retried', async () => {
    // The first call takes longer than WEBHOOKS_TIMEOUT_MS (1 s), the next ones answer at once.
    let calls = 0;
    receiver.behave({ status: 200, delayMs: () => (++calls === 1 ? 1500 : 0) });
    const reg = await register(shopA.seller);
    const orderId = await paidOrder(shopA);
    await until(async () => (await deliveries(shopA.seller, reg.endpoint.id))[0]?.status === 'delivered');
    const [d] = await deliveries(shopA.seller, reg.endpoint.id);
    assert.equal(d!.attempts, 2);
    assert.deepEqual(
      d!.recentAttempts.map((a) => [a.statusCode, a.error]),
      [
        [200, null],
        [null, 'timed out after 1000 ms'],
      ],
    );
    // The cut attempt took about the timeout, not the endpoint's 1.5 s.
    assert.ok(d!.recentAttempts[1]!.durationMs >= 950, String(d!.recentAttempts[1]!.durationMs));
    // (The receiver logs the cut request only once its 1.5 s are up, so count the answered one.)
    assert.ok(receiver.received.some((r) => r.body.includes(orderId)));
    await api('DELETE', `/seller/webhooks/${reg.endpoint.id}`, shopA.seller);
  });

  test('flapping: every delivery lands, and the endpoint stays enabled', async () => {
    // Every other request fails.
    receiver.behave({ status: (n) => (n % 2 === 0 ? 503 : 200) });
    const reg = await register(shopB.seller);
    const orders = [];
    for (let i = 0; i < 4; i++) orders.push(await paidOrder(shopB));
    await until(async () => (await deliveries(shopB.seller, reg.endpoint.id)).every((d) => d.status === 'delivered'));
    const list = await deliveries(shopB.seller, reg.endpoint.id);
    assert.equal(list.length, 4);
    for (const id of orders) assert.equal(receiver.received.filter((r) => r.body.includes(id) && r.status === 200).length, 1);
    const endpoints = (await api('GET', '/seller/webhooks', shopB.seller)).json<{ endpoints: Array<{ id: string; status: string }> }>()
      .endpoints;
    assert.equal(endpoints.find((e) => e.id === reg.endpoint.id)!.status, 'active');
    await api('DELETE', `/seller/webhooks/${reg.endpoint.id}`, shopB.seller);
  });

  test('failing for the whole retry window: the endpoint is disabled with a notice; its events are held and sent once enabled', async () => {
    receiver.behave({ status: 500 });
    const reg = await register(shopA.seller);
    const started = Date.now();
    const first = await paidOrder(shopA);
    await until(async () => {
      const list = (await api('GET', '/seller/webhooks', shopA.seller)).json<{ endpoints: Array<{ id: string; status: string }> }>();
      return list.endpoints.find((e) => e.id === reg.endpoint.id)!.status === 'disabled';
    }, 90_000);
    assert.ok(Date.now() - started >= RETRY_WINDOW_SECONDS * 1000 - 100, 'not disabled before the window');
    const listed = (await api('GET', '/seller/webhooks', shopA.seller)).json<{
      endpoints: Array<{ id: string; status: string; notice: string | null; disabledAt: string | null }>;
    }>();
    const disabled = listed.endpoints.find((e) => e.id === reg.endpoint.id)!;
    assert.match(
      disabled.notice ?? '',
      /^Disabled on .*every delivery attempt since .* failed \(last: HTTP 500\)\. Undelivered events are kept; enable the endpoint to resume them\.$/,
    );
    assert.ok(disabled.disabledAt);
    const [held] = await deliveries(shopA.seller, reg.endpoint.id);
    assert.equal(held!.status, 'held');
    assert.ok(held!.attempts >= 5, `retried with backoff (${held!.attempts} attempts)`);

    // While disabled, new events are kept, not sent.
    const requestsBefore = receiver.received.length;
    const second = await paidOrder(shopA);
    await t.drainJobs();
    assert.equal(receiver.received.length, requestsBefore);
    assert.deepEqual(
      (await deliveries(shopA.seller, reg.endpoint.id)).map((d) => d.status),
      ['held', 'held'],
    );

    // The seller fixes the endpoint and enables it: both events arrive.
    receiver.behave({ status: 200 });
    const enabled = await api('POST', `/seller/webhooks/${reg.endpoint.id}/enable`, shopA.seller);
    assert.equal(enabled.statusCode, 200, enabled.body);
    assert.deepEqual(
      (({ status, notice }) => ({ status, notice }))(enabled.json<{ endpoint: { status: string; notice: string | null } }>().endpoint),
      { status: 'active', notice: null },
    );
    await until(async () => (await deliveries(shopA.seller, reg.endpoint.id)).every((d) => d.status === 'delivered'));
    for (const id of [first, second]) assert.equal(receiver.received.filter((r) => r.body.includes(id) && r.status === 200).length, 1);
    await api('DELETE', `/seller/webhooks/${reg.endpoint.id}`, shopA.seller);
  });
});
