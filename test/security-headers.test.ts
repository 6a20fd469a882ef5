/**
 * Issue 13, section 5: every answer carries the security headers, and nothing with a token or
 * personal data may be stored by a cache, while public catalog reads stay cacheable (ETag,
 * `Cache-Control: public, s-maxage`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import Fastify from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { installSecurityHeaders } from '../src/platform/http/security-headers.ts';
import { signUpAndLogIn } from './support/accounts.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let seller = '';
let customer = '';
const slug = `hdr-${randomUUID().slice(0, 8)}`;
let productId = '';

/** A signed-in account; `headers` are the log-in answer's, the one that carries the token. */
async function signUp(role: 'seller' | 'customer'): Promise<{ token: string; headers: OutgoingHttpHeaders }> {
  const res = await signUpAndLogIn(t.server, {
    email: `${role}-${randomUUID()}@example.test`,
    password: `Hdr-${randomUUID()}`,
    name: 'Ada',
    role,
  });
  assert.equal(res.statusCode, 200, res.body);
  return { token: res.json<{ token: string }>().token, headers: res.headers };
}

before(async () => {
  t = await createTestApp();
  seller = (await signUp('seller')).token;
  customer = (await signUp('customer')).token;
  const auth = { authorization: `Bearer ${seller}` };
  const shop = await t.server.inject({
    method: 'POST',
    url: '/api/v1/shops',
    headers: auth,
    payload: { slug, name: 'Headers', currency: 'EUR' },
  });
  assert.equal(shop.statusCode, 201, shop.body);
  const product = await t.server.inject({
    method: 'POST',
    url: '/api/v1/products',
    headers: auth,
    payload: { title: 'Mug', description: 'A mug', status: 'published', variants: [{ sku: 'HDR-1', options: {}, price: 1200 }] },
  });
  assert.equal(product.statusCode, 201, product.body);
  productId = product.json<{ id: string }>().id;
});
after(() => t?.close());

function assertSecurityHeaders(headers: OutgoingHttpHeaders, what: string): void {
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin', what);
  const csp = String(headers['content-security-policy'] ?? '');
  for (const directive of [
    "default-src 'self'",
    "frame-ancestors 'none'",
    "script-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
  ]) {
    assert.ok(
      csp.split(';').some((d) => d.trim() === directive),
      `${what}: CSP lacks ${directive}: ${csp}`,
    );
  }
  assert.ok(!csp.includes('unsafe-inline'), `${what}: ${csp}`);
}

/** The only answers a shared cache may keep: anonymous catalog reads and content-addressed images. */
const PUBLIC_READS = new Set([
  'GET /api/v1/categories',
  'GET /api/v1/products',
  'GET /api/v1/products/{id}',
  'GET /api/v1/shops/{slug}',
  'GET /api/v1/products/{id}/stock',
  'GET /api/v1/search',
  'GET /media/{file}',
]);

type Doc = { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean }> }>> };

test('every route answers with the security headers, and with no-store unless it is a public read', async () => {
  const doc = t.server.swagger() as unknown as Doc;
  const seen: string[] = [];
  // Signing out revokes the token the walk uses: that route goes last.
  const paths = Object.entries(doc.paths).sort(([a], [b]) => Number(a.endsWith('/logout')) - Number(b.endsWith('/logout')));
  for (const [template, methods] of paths) {
    for (const [method, op] of Object.entries(methods)) {
      const route = `${method.toUpperCase()} ${template}`;
      const url = template
        .replace('{slug}', slug)
        .replace('{id}', productId)
        .replace(/\{\w+\}/g, () => randomUUID());
      const query = (op.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=mug`);
      for (const token of [seller, customer, null]) {
        const res = await t.server.inject({
          method: method.toUpperCase() as 'GET',
          url: query.length ? `${url}?${query.join('&')}` : url,
          headers: token ? { authorization: `Bearer ${token}` } : {},
          ...(method === 'get' || method === 'delete' ? {} : { payload: {} }),
        });
        const what = `${route} (${token === seller ? 'seller' : token ? 'customer' : 'anonymous'}): ${res.statusCode}`;
        assertSecurityHeaders(res.headers, what);
        const cacheControl = String(res.headers['cache-control']);
        if (PUBLIC_READS.has(route))
          assert.ok(cacheControl.startsWith('public') || cacheControl.includes('no-store'), `${what}: ${cacheControl}`);
        // The default no-store, or a route's own `private, no-store`: never anything a shared cache keeps.
        else assert.ok(/^(private, )?no-store$/.test(cacheControl), `${what}: ${cacheControl}`);
        seen.push(route);
      }
    }
  }
  assert.ok(new Set(seen).size > 40, `only ${new Set(seen).size} routes walked`);
});

test('answers with a token or personal data are no-store: log-in, me, sessions, cart, orders, seller products', async () => {
  const signedUp = await signUp('seller');
  assert.equal(signedUp.headers['cache-control'], 'no-store');
  assertSecurityHeaders(signedUp.headers, 'log-in');
  const auth = { authorization: `Bearer ${signedUp.token}` };
  for (const url of ['/api/v1/auth/me', '/api/v1/auth/sessions', '/api/v1/cart', '/api/v1/orders', '/api/v1/seller/products']) {
    const res = await t.server.inject({ method: 'GET', url, headers: auth });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    assert.match(String(res.headers['cache-control']), /no-store/, url);
  }
});

test('public catalog reads stay cacheable: Cache-Control public with s-maxage, ETag, 304 on a match', async () => {
  for (const url of ['/api/v1/categories', '/api/v1/products', `/api/v1/products/${productId}`, `/api/v1/shops/${slug}`]) {
    const res = await t.server.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    assert.match(String(res.headers['cache-control']), /^public, .*s-maxage=\d+/, url);
    assert.ok(res.headers.etag, url);
    assertSecurityHeaders(res.headers, url);
    const again = await t.server.inject({ method: 'GET', url, headers: { 'if-none-match': String(res.headers.etag) } });
    assert.equal(again.statusCode, 304, url);
    assert.match(String(again.headers['cache-control']), /^public/, url);
  }
});

test('HSTS and upgrade-insecure-requests only when the site is served over HTTPS', async () => {
  for (const https of [true, false]) {
    const server = Fastify();
    installSecurityHeaders(server, { https });
    server.get('/', async () => ({ ok: true }));
    const res = await server.inject({ method: 'GET', url: '/' });
    await server.close();
    const csp = String(res.headers['content-security-policy']);
    if (https) {
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/);
      assert.match(csp, /upgrade-insecure-requests/);
    } else {
      assert.equal(res.headers['strict-transport-security'], undefined);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/);
    }
    assert.equal(res.headers['cache-control'], 'no-store');
  }
});
