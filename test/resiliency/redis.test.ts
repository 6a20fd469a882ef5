import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { cacheKeys } from '../../src/modules/catalog/catalog.service.ts';
import { newId } from '../../src/shared/ids.ts';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { ADDRESS, lines, listing, signUp, type Actor, type Listing } from '../checkout/support.ts';
import { allPaid, assertNo5xx, assertSettled, drainUntil, waitFor } from './outbound-support.ts';

/**
 * Resiliency matrix, Redis (docs/resiliency.md): the app talks to the test run's Redis through a
 * TCP fault proxy. Redis down, slow or flapping: browsing, log-in and checkout keep working (the
 * in-process cache tier, rate limits counted in memory), no request waits more than a few Redis
 * command timeouts, and the shared tier is used again by itself when Redis is back.
 */
const REDIS_URL = process.env.REDIS_URL;
const skip = REDIS_URL ? false : 'REDIS_URL is not set: Redis resiliency tests skipped';
/** Above the 50 ms default: a healthy Redis on a busy two-core test machine can answer late. */
const TIMEOUT_MS = 250;
const STRICT_IP_MAX = 10;
const PASSWORD = 'correct horse battery';

type Kind = 'product' | 'list' | 'me' | 'login' | 'checkout' | 'edit';
/** One answer of the workload; `code` is the error code of a failed one, so a failure says why. */
type Sample = { kind: Kind; ms: number; status: number; code?: string };

let ipCounter = 0;
/** A fresh client address per request of the workload, so only the limit test trips a limit. */
const newIp = () => `10.77.${Math.floor(++ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;

describe('Redis behind a fault proxy', { skip }, () => {
  let proxy: FaultProxy;
  let probe: Redis;
  let t: TestApp;
  let item: Listing;
  let customer: Actor;
  let email: string;
  const orders: string[] = [];
  /** The slowest request of each kind with Redis healthy, measured in this run. */
  const baseline = new Map<Kind, number>();

  before(async () => {
    const target = new URL(REDIS_URL!);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 6379) });
    probe = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1, lazyConnect: false });
    probe.on('error', () => undefined);
    const proxied = new URL(REDIS_URL!);
    proxied.host = proxy.address;
    t = await createTestApp({
      REDIS_URL: proxied.toString(),
      // Keys of this file only, on a Redis other tests share.
      REDIS_KEY_PREFIX: `resiliency-${randomBytes(4).toString('hex')}`,
      REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_IP_MAX: '100000',
      RATE_LIMIT_ACCOUNT_MAX: '100000',
      RATE_LIMIT_STRICT_IP_MAX: String(STRICT_IP_MAX),
      RATE_LIMIT_STRICT_ACCOUNT_MAX: '100000',
    });
    assert.equal(t.app.cache.tiers, 'memory+redis');
    // Stock no run can sell out (the most one restock takes): the workload checks out as fast as
    // the app answers, so the number of orders grows as checkout gets faster (500 ran out once it
    // did), and a sold-out 409 is not what this file tests.
    item = await listing(t, [{ price: 900, stock: 100_000 }]);
    customer = await signUp(t.server, 'customer');
    const me = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: customer.headers });
    email = me.json<{ account: { email: string } }>().account.email;
    const samples = await workload(1500);
    for (const s of samples) assert.ok(s.status < 300, `baseline ${s.kind}: ${s.status}`);
    for (const s of samples) baseline.set(s.kind, Math.max(baseline.get(s.kind) ?? 0, s.ms));
  });
  after(async () => {
    await t?.close();
    probe?.disconnect();
    await proxy?.close();
  });

  /**
   * For `ms`, one shopper's requests back to back: a product page, a listing, who-am-I, and every
   * fifth round a checkout (each order costs jobs to settle) and the seller's edit of a product
   * (which invalidates its cached page through Redis); one log-in (argon2, so only one) at the
   * start. Every answer and its time.
   */
  async function workload(ms: number): Promise<Sample[]> {
    const samples: Sample[] = [];
    const timed = async (kind: Kind, call: () => Promise<LightMyRequestResponse>) => {
      const started = performance.now();
      const res = await call();
      const sample: Sample = { kind, ms: performance.now() - started, status: res.statusCode };
      if (res.statusCode >= 300) sample.code = res.json<{ error?: { code?: string } }>().error?.code ?? res.body.slice(0, 120);
      samples.push(sample);
      assertNo5xx(res, kind);
      return res;
    };
    await timed('login', () =>
      t.server.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: newIp(), payload: { email, password: PASSWORD } }),
    );
    const until = Date.now() + ms;
    for (let round = 0; Date.now() < until; round++) {
      await timed('product', () => t.server.inject({ method: 'GET', url: `/api/v1/products/${item.productId}`, remoteAddress: newIp() }));
      await timed('list', () => t.server.inject({ method: 'GET', url: '/api/v1/products?limit=5', remoteAddress: newIp() }));
      await timed('me', () =>
        t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: customer.headers, remoteAddress: newIp() }),
      );
      if (round % 5 !== 0) continue;
      await timed('edit', () =>
        t.server.inject({
          method: 'PATCH',
          url: `/api/v1/products/${item.productId}`,
          remoteAddress: newIp(),
          headers: item.seller.headers,
          payload: { title: `Bowl, round ${round} at ${Date.now()}` },
        }),
      );
      const res = await timed('checkout', () =>
        t.server.inject({
          method: 'POST',
          url: '/api/v1/checkout',
          remoteAddress: newIp(),
          headers: { ...customer.headers, 'idempotency-key': `redis-${newId()}` },
          payload: { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS },
        }),
      );
      if (res.statusCode === 202) orders.push(res.json<{ order: { id: string } }>().order.id);
    }
    return samples;
  }

  /** Runs the workload under `fault` and checks every answer and every wait against the baseline. */
  async function underFault(t2: TestContext, fault: Fault, ms = 2500): Promise<void> {
    proxy.set(fault);
    let samples: Sample[];
    try {
      samples = await workload(ms);
    } finally {
      proxy.set({ kind: 'up' });
    }
    const failed = samples.filter((s) => s.status >= 300);
    assert.deepEqual(failed, [], 'every request succeeded');
    assert.ok(samples.some((s) => s.kind === 'checkout'));
    // A request pays at most a few command timeouts before the fallbacks skip Redis for a while:
    // allowed, against the same kind of request with Redis healthy, four timeouts (plus slack for
    // a loaded machine). A Redis fault that blocked a request would take seconds.
    const report: string[] = [];
    for (const kind of new Set(samples.map((s) => s.kind))) {
      const worst = Math.max(...samples.filter((s) => s.kind === kind).map((s) => s.ms));
      const base = baseline.get(kind) ?? 0;
      report.push(`${kind} ${worst.toFixed(0)} ms (healthy ${base.toFixed(0)} ms)`);
      assert.ok(worst < 2 * base + 4 * TIMEOUT_MS + 500, `slowest ${kind}: ${worst.toFixed(0)} ms, healthy ${base.toFixed(0)} ms`);
    }
    t2.diagnostic(`${samples.length} requests under ${fault.kind}; slowest: ${report.join(', ')}`);
  }

  /** The shared tier is used again: a page never loaded before lands in Redis. */
  async function tierBack(t2: TestContext): Promise<void> {
    const ms = await waitFor(
      'the shared tier used again',
      async () => {
        const id = newId();
        await t.server.inject({ method: 'GET', url: `/api/v1/products/${id}` });
        return (await probe.keys(`*${cacheKeys.product(id)}`).catch(() => [])).length === 1;
      },
      10_000,
    );
    t2.diagnostic(`shared tier back ${ms} ms after the fault ended`);
  }

  async function ordersSettle(): Promise<void> {
    await drainUntil(t, 'every order placed paid', () => allPaid(t, orders));
    await assertSettled(t);
  }

  test('down: browsing, log-in and checkout keep working; rate limits are counted in memory; the tier comes back', async (t2) => {
    await underFault(t2, { kind: 'down' });
    // Limits stay on while Redis is down: the strict checkout limit refuses the request past it.
    proxy.set({ kind: 'down' });
    try {
      const ip = newIp();
      const statuses: number[] = [];
      for (let i = 0; i <= STRICT_IP_MAX; i++) {
        const res = await t.server.inject({
          method: 'POST',
          url: '/api/v1/checkout',
          remoteAddress: ip,
          headers: customer.headers,
          payload: {},
        });
        statuses.push(res.statusCode);
      }
      assert.equal(statuses.at(-1), 429, statuses.join(' '));
      assert.ok(
        statuses.slice(0, STRICT_IP_MAX).every((s) => s === 400),
        statuses.join(' '),
      );
    } finally {
      proxy.set({ kind: 'up' });
    }
    await tierBack(t2);
    await ordersSettle();
  });

  test('slow (100 ms added each way): every request still succeeds, none waits more than a few timeouts', async (t2) => {
    await underFault(t2, { kind: 'latency', ms: 100, jitterMs: 50 });
    await tierBack(t2);
    await ordersSettle();
  });

  test('hung (accepts, never answers): every request succeeds within a few command timeouts', async (t2) => {
    await underFault(t2, { kind: 'hang' });
    await tierBack(t2);
    await ordersSettle();
  });

  test('flapping (down and up every 300 ms): every request succeeds; the tier comes back', async (t2) => {
    await underFault(t2, { kind: 'flap', periodMs: 300 }, 3000);
    await tierBack(t2);
    await ordersSettle();
  });
});
