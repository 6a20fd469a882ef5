/**
 * Issue 13, section 1: bad input never answers 500, and every answer the server sends, Fastify's
 * and Node's own included, has the one error shape. The main test is generated from the OpenAPI
 * document, so a route added tomorrow is walked too.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { signUpAndLogIn } from './support/accounts.ts';
import { sample, sampleString, stringPaths, withValue, type Schema } from './support/openapi-samples.ts';

let t: TestApp;
const PASSWORD = `Edge-${randomUUID()}`;
const tokens: Record<'customer' | 'seller' | 'admin', string> = { customer: '', seller: '', admin: '' };
/** Real resources, so a write with a bad string gets past its "not found" and reaches SQL. */
const known = { slug: `edge-${randomUUID().slice(0, 8)}`, productId: '', variantId: '' };

async function json(method: string, url: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await t.server.inject({
    method: method as 'POST',
    url,
    payload: body as object,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.statusCode, body: res.json() };
}

before(async () => {
  t = await createTestApp();
  for (const role of ['customer', 'seller'] as const) {
    const res = await signUpAndLogIn(t.server, {
      email: `${role}-${randomUUID()}@example.test`,
      password: PASSWORD,
      name: `A ${role}`,
      role,
    });
    assert.equal(res.statusCode, 200, res.body);
    tokens[role] = res.json<{ token: string }>().token;
  }
  const adminEmail = `admin-${randomUUID()}@example.test`;
  await t.app.identity.service.createAccount({ email: adminEmail, password: PASSWORD, name: 'Root', role: 'admin' });
  const login = await json('POST', '/api/v1/auth/login', { email: adminEmail, password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  tokens.admin = (login.body as { token: string }).token;

  const shop = await json('POST', '/api/v1/shops', { slug: known.slug, name: 'Edge shop', currency: 'EUR' }, tokens.seller);
  assert.equal(shop.status, 201, JSON.stringify(shop.body));
  const product = await json(
    'POST',
    '/api/v1/products',
    { title: 'Edge mug', description: 'A mug', status: 'published', variants: [{ sku: 'EDGE-1', options: {}, price: 1000 }] },
    tokens.seller,
  );
  assert.equal(product.status, 201, JSON.stringify(product.body));
  const p = product.body as { id: string; variants: Array<{ id: string }> };
  known.productId = p.id;
  known.variantId = p.variants[0]!.id;
});
after(() => t?.close());

const fieldName = (path: Array<string | number>) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
/** The bad character goes inside a valid value, so the value passes every other check (email format, length). */
const spoil = (good: string, bad: string) => `${good.slice(0, 1)}${bad}${good.slice(1)}`;

function knownParam(name: string, path: string): string {
  if (name === 'slug') return known.slug;
  if (name === 'variantId') return known.variantId;
  if (name === 'id' && path.startsWith('/api/v1/products/')) return known.productId;
  return randomUUID();
}

type ErrorBody = { error: { code: string; message: string; field?: string } };
type Parameter = { in: string; name: string; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Doc = { paths: Record<string, Record<string, Operation>> };

function assertErrorShape(body: unknown, what: string): void {
  const b = body as { error?: Record<string, unknown> } | null;
  assert.ok(b && typeof b === 'object' && b.error && typeof b.error === 'object', `${what}: not the error shape: ${JSON.stringify(body)}`);
  assert.deepEqual(Object.keys(b).sort(), ['error'], what);
  assert.equal(typeof b.error.code, 'string', what);
  assert.equal(typeof b.error.message, 'string', what);
  for (const key of Object.keys(b.error))
    assert.ok(['code', 'message', 'field', 'details'].includes(key), `${what}: unexpected error.${key}`);
}

test('every string of every route refuses NUL and unpaired surrogates with 400 naming the field, never 5xx', async () => {
  const doc = t.server.swagger() as unknown as Doc;
  // NUL; a lone high and a lone low surrogate (JSON.stringify escapes both as \udXXX).
  const BAD = ['\u0000', '\uD800', '\uDC00'];
  const failures: string[] = [];
  let sent = 0;
  let routes = 0;

  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      routes++;
      const params = op.parameters ?? [];
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const goodParams = Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, knownParam(p.name, template)]));
      const goodQuery = params.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, String(sample(p.schema ?? {}))] as const);
      const goodHeaders = Object.fromEntries(
        params.filter((p) => p.in === 'header' && p.required).map((p) => [p.name, sampleString(p.schema ?? {})]),
      );
      const baseBody = bodySchema ? sample(bodySchema) : undefined;

      type Case = { field: string; decoded: boolean; url: string; headers: Record<string, string>; body: unknown };
      const urlOf = (pathParams: Record<string, string>, query: ReadonlyArray<readonly [string, string]>) => {
        const p = template.replace(/\{(\w+)\}/g, (_, name: string) => pathParams[name]!);
        return query.length ? `${p}?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : p;
      };
      const enc = (v: string) => encodeURIComponent(v);
      const cases: Case[] = [];
      for (const bad of BAD) {
        // A lone surrogate has no UTF-8 form: in a URL a client can only send the bytes a surrogate
        // would have had (CESU-8), which do not decode. The answer must still be a 400 in the shape.
        const inUrl = (good: string) =>
          bad === '\u0000' ? enc(spoil(good, bad)) : `${enc(good.slice(0, 1))}%ED%A0%80${enc(good.slice(1))}`;
        const decoded = bad === '\u0000';
        const good = {
          url: urlOf(
            Object.fromEntries(Object.entries(goodParams).map(([k, v]) => [k, enc(v)])),
            goodQuery.map(([k, v]) => [k, enc(v)] as const),
          ),
          headers: goodHeaders,
          body: baseBody,
        };
        for (const p of params) {
          if (p.in === 'path') {
            const pathParams = Object.fromEntries(Object.entries(goodParams).map(([k, v]) => [k, k === p.name ? inUrl(v) : enc(v)]));
            cases.push({
              ...good,
              field: `params.${p.name}`,
              decoded,
              url: urlOf(
                pathParams,
                goodQuery.map(([k, v]) => [k, enc(v)] as const),
              ),
            });
          } else if (p.in === 'query') {
            const value = sampleString(p.schema ?? {});
            const query = [
              ...goodQuery.filter(([k]) => k !== p.name).map(([k, v]) => [k, enc(v)] as const),
              [p.name, inUrl(value)] as const,
            ];
            const pathParams = Object.fromEntries(Object.entries(goodParams).map(([k, v]) => [k, enc(v)]));
            cases.push({ ...good, field: `query.${p.name}`, decoded, url: urlOf(pathParams, query) });
          } else if (p.in === 'header') {
            cases.push({
              ...good,
              field: `headers.${p.name}`,
              decoded: true,
              headers: { ...goodHeaders, [p.name]: spoil(sampleString(p.schema ?? {}), bad) },
            });
          }
        }
        for (const { path, good: value } of bodySchema ? stringPaths(bodySchema) : []) {
          cases.push({
            ...good,
            field: `body${fieldName(path)}`,
            decoded: true,
            body: withValue(baseBody, bodySchema!, path, spoil(value, bad)),
          });
        }
      }

      for (const c of cases) {
        for (const role of ['customer', 'seller', 'admin'] as const) {
          const res = await t.server.inject({
            method: method.toUpperCase() as 'GET',
            url: c.url,
            headers: {
              authorization: `Bearer ${tokens[role]}`,
              ...c.headers,
              ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            ...(c.body !== undefined ? { payload: JSON.stringify(c.body) } : {}),
          });
          sent++;
          const what = `${method.toUpperCase()} ${c.url} [${c.field}] as ${role}: ${res.statusCode} ${res.body.slice(0, 200)}`;
          try {
            assert.ok(res.statusCode < 500, what);
            // Bytes that do not decode may be kept as they came (a query string): then any non-5xx will do.
            if (c.decoded || res.statusCode >= 400) assertErrorShape(res.json(), what);
            if (c.decoded) {
              const error = (res.json() as { error: { code: string; field?: string } }).error;
              assert.deepEqual([res.statusCode, error.code, error.field], [400, 'INVALID_TEXT', c.field], what);
            }
          } catch (err) {
            failures.push((err as Error).message.split('\n')[0]!);
          }
        }
      }
    }
  }
  assert.ok(routes > 40, `only ${routes} routes in the OpenAPI document`);
  assert.ok(sent > 300, `only ${sent} requests sent`);
  assert.deepEqual(failures, [], `${failures.length} of ${sent} answers were wrong`);
});

test("the issue's own examples: a NUL in a login email, a sign-up name, a shop slug; a lone surrogate in a product title", async () => {
  const login = await json('POST', '/api/v1/auth/login', { email: 'a\u0000b@example.test', password: PASSWORD });
  assert.deepEqual([login.status, (login.body as { error: { field: string } }).error.field], [400, 'body.email']);
  const signup = await json('POST', '/api/v1/auth/signup', {
    email: `n-${randomUUID()}@example.test`,
    password: PASSWORD,
    name: 'A\u0000',
  });
  assert.deepEqual([signup.status, (signup.body as { error: { field: string } }).error.field], [400, 'body.name']);
  const shop = await t.server.inject({ method: 'GET', url: '/api/v1/shops/a%00b' });
  assert.deepEqual([shop.statusCode, shop.json<ErrorBody>().error.field], [400, 'params.slug']);
  const title = await json('PATCH', `/api/v1/products/${known.productId}`, { title: 'Mug \uD83D' }, tokens.seller);
  assert.deepEqual([title.status, (title.body as { error: { field: string } }).error.field], [400, 'body.title']);
  // A well-formed pair is text like any other.
  const emoji = await json('PATCH', `/api/v1/products/${known.productId}`, { title: 'Mug \uD83D\uDE00' }, tokens.seller);
  assert.equal(emoji.status, 200, JSON.stringify(emoji.body));
});

test('a multipart field streamed by its handler (an image alt text) is refused the same way', async () => {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#c0ffee' } })
    .png()
    .toBuffer();
  const boundary = `edge${randomUUID().replaceAll('-', '')}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA mug\u0000\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="m.png"\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.server.inject({
    method: 'POST',
    url: `/api/v1/products/${known.productId}/images`,
    headers: { authorization: `Bearer ${tokens.seller}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
  assert.equal(res.statusCode, 400, res.body);
  const { error } = res.json<ErrorBody>();
  assert.deepEqual([error.code, error.field], ['INVALID_TEXT', 'body.alt']);
});

/** Raw bytes over a real socket: what Node's HTTP parser refuses never reaches Fastify's routes or `inject`. */
async function raw(port: number, request: string | Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      try {
        resolve({ status, body: JSON.parse(body) });
      } catch {
        resolve({ status, body });
      }
    });
    socket.write(request);
  });
}

test("Fastify's and Node's own refusals use the one error shape: 431, a malformed request, a URL that does not decode, 404", async () => {
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.server.server.address() as AddressInfo;

  const huge = await raw(port, `GET /api/v1/categories HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.equal(huge.status, 431);
  assertErrorShape(huge.body, '431');

  const malformed = await raw(port, 'GET /api/v1/categories HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
  assert.equal(malformed.status, 400);
  assertErrorShape(malformed.body, 'malformed request');

  const badUrl = await raw(port, 'GET /api/v1/shops/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(badUrl.status, 400);
  assertErrorShape(badUrl.body, 'bad URL');

  const missing = await raw(port, 'GET /api/v1/nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(missing.status, 404);
  assertErrorShape(missing.body, '404');
});
