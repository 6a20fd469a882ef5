import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { freePort } from './support/scratch-postgres.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { signUpAndLogIn } from './support/accounts.ts';

/**
 * Rate limits on one node (platform/http/rate-limit.ts): counted in process memory without Redis,
 * and still counted (in memory) when Redis is configured but unreachable. Counting across nodes
 * through Redis is in redis-tier.test.ts.
 */
const LIMITS = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_IP_MAX: '8',
  RATE_LIMIT_ACCOUNT_MAX: '6',
  RATE_LIMIT_STRICT_IP_MAX: '3',
  RATE_LIMIT_STRICT_ACCOUNT_MAX: '2',
};

let ipCounter = 0;
const newIp = () => `10.7.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
let emailCounter = 0;
const newEmail = () => `limits.${process.pid}.${Date.now().toString(36)}.${++emailCounter}@example.test`;

function assertRateLimited(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 429, res.body);
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${String(res.headers['retry-after'])}`);
  const body = res.json<{ error: { code: string; message: string } }>();
  assert.equal(body.error.code, 'RATE_LIMITED');
  assert.match(body.error.message, /try again in \d+ s/);
}

const categories = (server: FastifyInstance, ip: string) => server.inject({ method: 'GET', url: '/api/v1/categories', remoteAddress: ip });

async function signUp(server: FastifyInstance, ip = newIp()): Promise<{ authorization: string }> {
  const res = await signUpAndLogIn(
    server,
    { email: newEmail(), password: 'correct horse battery', name: 'Limited' },
    { remoteAddress: ip },
  );
  assert.equal(res.statusCode, 200, res.body);
  return { authorization: `Bearer ${res.json<{ token: string }>().token}` };
}

describe('rate limits, counted in process memory', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(LIMITS);
  });
  after(async () => {
    await t?.close();
  });

  test('per IP: past the limit a request is refused with 429 and Retry-After; other addresses and /health are not', async () => {
    const ip = newIp();
    for (let i = 0; i < 8; i++) assert.equal((await categories(t.server, ip)).statusCode, 200, `request ${i + 1}`);
    assertRateLimited(await categories(t.server, ip));
    assert.equal((await categories(t.server, newIp())).statusCode, 200);
    for (let i = 0; i < 12; i++) {
      assert.equal((await t.server.inject({ method: 'GET', url: '/health', remoteAddress: ip })).statusCode, 200);
    }
  });

  test('a client cannot pick its own address with X-Forwarded-For; a proxy on loopback can name it (TRUST_PROXY)', async () => {
    const ip = newIp();
    for (let i = 0; i < 8; i++) {
      const spoofed = { 'x-forwarded-for': newIp() };
      const res = await t.server.inject({ method: 'GET', url: '/api/v1/categories', remoteAddress: ip, headers: spoofed });
      assert.equal(res.statusCode, 200, `request ${i + 1}`);
    }
    assertRateLimited(
      await t.server.inject({ method: 'GET', url: '/api/v1/categories', remoteAddress: ip, headers: { 'x-forwarded-for': newIp() } }),
    );
    // Through a local proxy (nginx on the same host), the forwarded address is the one counted.
    const behindProxy = newIp();
    const viaProxy = () =>
      t.server.inject({
        method: 'GET',
        url: '/api/v1/categories',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': behindProxy },
      });
    for (let i = 0; i < 8; i++) assert.equal((await viaProxy()).statusCode, 200, `request ${i + 1}`);
    assertRateLimited(await viaProxy());
  });

  test('per account: a signed-in account is counted whatever address it comes from', async () => {
    const headers = await signUp(t.server);
    for (let i = 0; i < 6; i++) {
      const res = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers, remoteAddress: newIp() });
      assert.equal(res.statusCode, 200, `request ${i + 1}: ${res.body}`);
    }
    assertRateLimited(await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers, remoteAddress: newIp() }));
    // A public page does not resolve the session, so it is not counted against the account.
    assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/categories', headers, remoteAddress: newIp() })).statusCode, 200);
  });

  test('sign-up is strict per IP', async () => {
    const ip = newIp();
    for (let i = 0; i < 3; i++) await signUp(t.server, ip);
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      remoteAddress: ip,
      payload: { email: newEmail(), password: 'correct horse battery', name: 'Limited' },
    });
    assertRateLimited(res);
  });

  test('checkout is strict per account, from any address', async () => {
    const headers = await signUp(t.server);
    const checkout = (key: string) =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/checkout',
        remoteAddress: newIp(),
        headers: { ...headers, 'idempotency-key': key },
        payload: { shippingAddress: { name: 'Bea', line1: '1 Loom Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' } },
      });
    for (let i = 0; i < 2; i++) {
      const res = await checkout(`limit-${i}`);
      assert.notEqual(res.statusCode, 429, res.body); // an empty cart: refused for that, not for the rate
    }
    assertRateLimited(await checkout('limit-2'));
  });
});

describe('rate limits with Redis configured but unreachable', () => {
  let t: TestApp;
  before(async () => {
    // A port nothing listens on: every Redis command fails at once.
    t = await createTestApp({ ...LIMITS, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });
  after(async () => {
    await t?.close();
  });

  test('requests succeed, and the limits still hold, counted in this process', async () => {
    assert.equal(t.app.cache.tiers, 'memory+redis');
    const ip = newIp();
    for (let i = 0; i < 8; i++) assert.equal((await categories(t.server, ip)).statusCode, 200, `request ${i + 1}`);
    assertRateLimited(await categories(t.server, ip));
    const headers = await signUp(t.server);
    assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers, remoteAddress: newIp() })).statusCode, 200);
  });
});
