/**
 * Issue 19: the API keeps the promise of its OpenAPI document, as judged by a validator nobody
 * here wrote. Stoplight Prism runs as a proxy in front of a whole Atelier on real PostgreSQL,
 * holding the document the server itself publishes; a realistic flow goes through it and calls
 * every operation, in success and in error, and Prism checks each answer (status, media type,
 * headers, body) against the document. Prism says what it found in the `sl-violations` header:
 * the test fails on any violation of an answer, and on any violation of a request it sent as
 * valid (a request the document would refuse, though the server takes it, is a wrong document too).
 *
 * Every operation in the document must be called here, with a success and an error: a route added
 * to the API without a step in this flow fails the test, as does an answer the document does not allow.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { makeImage, multipartBody } from '../src/modules/media/media.testing.ts';
import { mailTo, tokenOf } from '../src/modules/identity/identity.test-support.ts';
import { listen } from './support/browser.ts';
import { freePort } from './support/processes.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

type Operation = { operationId: string };
type Doc = { paths: Record<string, Record<string, Operation>> };
type Violation = { location?: string[]; severity?: string; code?: string | number; message?: string };
type Answer = { status: number; headers: Headers; body: unknown; text: string };

let t: TestApp;
let doc: Doc;
let prism: ChildProcess;
let prismUrl: string;
let upstream: string;
let dir: string;
const prismLog: string[] = [];
const PRISM = path.join(path.dirname(createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json')), 'dist/index.js');

before(async () => {
  t = await createTestApp({ COOKIE_SECURE: 'false', WEBHOOKS_ALLOW_INSECURE: 'true', ATELIER_SHOP_APPROVAL: 'required' });
  upstream = await listen(t.server);
  doc = (await (await fetch(`${upstream}/api/v1/openapi.json`)).json()) as Doc;
  dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-contract-'));
  const file = path.join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(doc));
  const port = await freePort();
  prismUrl = `http://127.0.0.1:${port}`;
  prism = spawn(process.execPath, [PRISM, 'proxy', file, upstream, '--port', String(port), '--host', '127.0.0.1', '--cors', 'false'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [prism.stdout!, prism.stderr!]) stream.on('data', (d: Buffer) => prismLog.push(d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (prismLog.join('').includes('Prism is listening')) break;
    if (prism.exitCode !== null || Date.now() > deadline) throw new Error(`Prism did not start:\n${prismLog.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  prism?.kill();
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Each operation's method and path template, by operationId. */
function operation(id: string): { method: string; template: string } {
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) if (op.operationId === id) return { method: method.toUpperCase(), template };
  }
  throw new Error(`no operation ${id} in the document`);
}

type Call = Readonly<{
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: unknown;
  /** A body sent as it is, with Content-Type: application/json (broken JSON, say). */
  raw?: string;
  multipart?: { payload: Buffer; headers: Record<string, string> };
  headers?: Record<string, string>;
  token?: string;
  cookie?: string;
  /**
   * Sent straight to the server and its answer checked with Ajv against the same document: for a
   * binary request body, which Prism's proxy reads as text and so corrupts before forwarding.
   */
  direct?: boolean;
  /** The request is deliberately outside what the document allows (a missing field, a wrong type). */
  invalid?: boolean;
}>;

/** What each operation was seen to answer, for the coverage check at the end. */
const seen = new Map<string, Set<number>>();
const violations: string[] = [];

async function call(id: string, expected: number, opts: Call = {}): Promise<Answer> {
  const { method, template } = operation(id);
  const url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = opts.params?.[name];
    assert.ok(value !== undefined, `${id}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const query = opts.query ? `?${new URLSearchParams(Object.entries(opts.query).map(([k, v]) => [k, String(v)])).toString()}` : '';
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: BodyInit | undefined;
  if (opts.multipart) {
    Object.assign(headers, opts.multipart.headers);
    body = new Uint8Array(opts.multipart.payload);
  } else if (opts.raw !== undefined) {
    headers['content-type'] = 'application/json';
    body = opts.raw;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${opts.direct ? upstream : prismUrl}${url}${query}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const answer: Answer = { status: res.status, headers: res.headers, text, body: type.includes('json') && text ? JSON.parse(text) : text };
  const reported = res.headers.get('sl-violations') ?? '[]';
  if (reported.startsWith('Too many')) violations.push(`${id} ${method} ${url}: ${reported.slice(0, 500)}`);
  const found = opts.direct
    ? checkWithAjv(template, method, res.status, type, answer.body)
    : reported.startsWith('[')
      ? (JSON.parse(reported) as Violation[])
      : [];
  for (const v of found) {
    const side = v.location?.[0];
    if (side === 'request' && opts.invalid) continue;
    violations.push(`${id} ${method} ${url}${query} -> ${res.status}: ${side} ${v.location?.slice(1).join('.')}: ${v.message} (${v.code})`);
  }
  assert.equal(res.status, expected, `${id} ${method} ${url}${query}: ${text.slice(0, 300)}`);
  (seen.get(id) ?? seen.set(id, new Set()).get(id)!).add(res.status);
  return answer;
}

// ajv-formats ships CommonJS: under ESM its function is the default export or its `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect) on the document's own schema for this answer. */
function checkWithAjv(template: string, method: string, status: number, type: string, body: unknown): Violation[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const base = 'https://atelier.test/openapi.json';
  ajv.addSchema({ ...doc, $id: base });
  const pointer = (...segments: string[]) => segments.map((x) => encodeURIComponent(x.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
  const op = doc.paths[template]![method.toLowerCase()] as unknown as { responses: Record<string, { $ref?: string }> };
  let response = op.responses[String(status)];
  if (!response) return [{ location: ['response', 'statusCode'], message: `${status} is not declared` }];
  let where = `#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status))}`;
  if (response.$ref) {
    where = response.$ref;
    response = where
      .slice(2)
      .split('/')
      .reduce<Record<string, unknown>>((at, key) => at[key] as Record<string, unknown>, doc as never);
  }
  const content = (response as { content?: Record<string, unknown> }).content ?? {};
  const media = Object.keys(content).find((m) => type.startsWith(m));
  if (Object.keys(content).length === 0) return [];
  if (!media)
    return [{ location: ['response', 'headers', 'content-type'], message: `${type} is not among ${Object.keys(content).join(', ')}` }];
  const validate = ajv.compile({ $ref: `${base}${where}/content/${pointer(media)}/schema` });
  return validate(body)
    ? []
    : (validate.errors ?? []).map((e) => ({ location: ['response', 'body', e.instancePath], message: e.message ?? '' }));
}

const field = <T>(answer: Answer, pick: (body: never) => T): T => pick(answer.body as never);
const uid = () => Math.random().toString(36).slice(2, 10);
const PASSWORD = 'kiln smoke otter ladder';
const ADDRESS = { name: 'Bea Weaver', line1: '1 Loom Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' };

test(
  'every operation answers as its document says, in success and in error (Prism as a validating proxy)',
  { timeout: 600_000 },
  async () => {
    const nobody = '00000000-0000-7000-8000-000000000000';

    // Identity: sign up, verify, log in, sessions, password, reset.
    const sellerEmail = `seller-${uid()}@example.test`;
    await call('signUp', 202, { body: { email: sellerEmail, password: PASSWORD, name: 'Ada', role: 'seller' } });
    await call('signUp', 400, { body: { email: 'not an email', password: PASSWORD, name: 'Ada' }, invalid: true });
    const verifyLink = (await mailTo(t, sellerEmail)).find((m) => m.link?.includes('verify-email'))!.link;
    await call('verifyEmail', 204, { body: { token: tokenOf(verifyLink) } });
    await call('verifyEmail', 400, { body: { token: tokenOf(verifyLink) } });
    const login = await call('logIn', 200, { body: { email: sellerEmail, password: PASSWORD } });
    assert.ok(login.headers.get('set-cookie'), 'the log-in sets the session cookie it declares');
    const seller = field(login, (b: { token: string; account: { id: string } }) => b);
    await call('logIn', 401, { body: { email: sellerEmail, password: 'wrong horse battery staple' } });
    await call('logIn', 400, { body: { email: sellerEmail }, invalid: true });
    await call('getMe', 200, { token: seller.token });
    await call('getMe', 401, { invalid: true });
    const second = field(await call('logIn', 200, { body: { email: sellerEmail, password: PASSWORD } }), (b: { token: string }) => b.token);
    const sessions = field(
      await call('listMySessions', 200, { token: seller.token }),
      (b: { sessions: Array<{ id: string; current: boolean }> }) => b.sessions,
    );
    await call('listMySessions', 401, { invalid: true });
    await call('revokeSession', 204, { token: seller.token, params: { id: sessions.find((s) => !s.current)!.id } });
    await call('revokeSession', 404, { token: seller.token, params: { id: nobody } });
    await call('getMe', 401, { token: second });
    await call('reauthenticate', 204, { token: seller.token, body: { password: PASSWORD } });
    await call('reauthenticate', 401, { token: seller.token, body: { password: 'not the password at all' } });
    await call('changePassword', 400, { token: seller.token, body: { currentPassword: PASSWORD, newPassword: 'short' }, invalid: true });
    await call('changePassword', 401, { invalid: true, body: { currentPassword: PASSWORD, newPassword: 'a much longer new phrase' } });

    const buyerEmail = `buyer-${uid()}@example.test`;
    await call('signUp', 202, { body: { email: buyerEmail, password: PASSWORD, name: 'Bea' } });
    await call('requestPasswordReset', 202, { body: { email: buyerEmail } });
    await call('requestPasswordReset', 400, { body: {}, invalid: true });
    let resetLink: string | null = null;
    for (let i = 0; i < 50 && !resetLink; i++) {
      resetLink = (await mailTo(t, buyerEmail)).find((m) => m.link?.includes('reset-password'))?.link ?? null;
      if (!resetLink) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(resetLink, 'the reset email arrived');
    await call('resetPassword', 204, { body: { token: tokenOf(resetLink), newPassword: 'loom shuttle heddle reed' } });
    await call('resetPassword', 400, { body: { token: tokenOf(resetLink), newPassword: 'loom shuttle heddle reed' } });
    const buyerLogin = await call('logIn', 200, { body: { email: buyerEmail, password: 'loom shuttle heddle reed' } });
    const buyer = field(buyerLogin, (b: { token: string; account: { id: string } }) => b);
    await call('changePassword', 204, { token: buyer.token, body: { currentPassword: 'loom shuttle heddle reed', newPassword: PASSWORD } });

    const adminEmail = `admin-${uid()}@example.test`;
    await t.app.identity.service.createAccount({ email: adminEmail, password: PASSWORD, name: 'Root', role: 'admin' });
    const admin = field(await call('logIn', 200, { body: { email: adminEmail, password: PASSWORD } }), (b: { token: string }) => b.token);
    await call('getAccount', 200, { token: admin, params: { id: buyer.account.id } });
    await call('getAccount', 404, { token: admin, params: { id: nobody } });
    await call('getAccount', 403, { token: seller.token, params: { id: buyer.account.id } });
    await call('getAccount', 400, { token: admin, params: { id: 'not-an-id' }, invalid: true });

    // Catalog: categories, a shop, a product with variants.
    const categorySlug = `pots-${uid()}`;
    const category = field(
      await call('createCategory', 201, { token: admin, body: { slug: categorySlug, name: 'Pots' } }),
      (b: { id: string }) => b.id,
    );
    await call('createCategory', 409, { token: admin, body: { slug: categorySlug, name: 'Pots again' } });
    await call('createCategory', 403, { token: seller.token, body: { slug: `x-${uid()}`, name: 'Nope' } });
    await call('listCategories', 200);
    const shopSlug = `ada-${uid()}`;
    const shopId = field(
      await call('createShop', 201, { token: seller.token, body: { slug: shopSlug, name: 'Ada Ceramics', description: 'Stoneware' } }),
      (b: { id: string }) => b.id,
    );
    // The marketplace approves shops (ATELIER_SHOP_APPROVAL=required): the seller sees it waiting, the operator approves it.
    await call('getMyShop', 200, { token: seller.token });
    await call('getMyShop', 403, { token: buyer.token });
    await call('listShops', 200, { token: admin, query: { status: 'pending', q: 'Ada' } });
    await call('listShops', 403, { token: seller.token });
    await call('getShopDetail', 200, { token: admin, params: { id: shopId } });
    await call('getShopDetail', 404, { token: admin, params: { id: nobody } });
    await call('approveShop', 200, { token: admin, params: { id: shopId } });
    await call('approveShop', 409, { token: admin, params: { id: shopId } });
    await call('searchAccounts', 200, { token: admin, query: { q: 'buyer-' } });
    await call('searchAccounts', 403, { token: seller.token, query: { q: 'buyer-' } });
    await call('createShop', 409, { token: seller.token, body: { slug: `other-${uid()}`, name: 'A second shop' } });
    await call('createShop', 403, { token: buyer.token, body: { slug: `b-${uid()}`, name: 'Bea shop' } });
    await call('createShop', 400, { token: seller.token, body: { slug: 'Not A Slug!', name: 'x' }, invalid: true });
    await call('getShop', 200, { params: { slug: shopSlug } });
    await call('getShop', 404, { params: { slug: `none-${uid()}` } });
    await call('updateShop', 200, { token: seller.token, params: { slug: shopSlug }, body: { description: 'Stoneware, thrown by hand' } });
    await call('updateShop', 404, { token: seller.token, params: { slug: `none-${uid()}` }, body: { name: 'x' } });
    const product = field(
      await call('createProduct', 201, {
        token: seller.token,
        body: {
          title: 'Speckled mug',
          description: '350 ml',
          categoryId: category,
          status: 'published',
          variants: [{ options: { glaze: 'oat' }, price: 4200 }],
        },
      }),
      (b: { id: string; variants: Array<{ id: string }> }) => b,
    );
    await call('createProduct', 400, {
      token: seller.token,
      body: { title: 'No variants', description: 'x', variants: [] },
      invalid: true,
    });
    await call('createProduct', 401, { invalid: true, body: { title: 'x', description: 'x', variants: [{ options: {}, price: 1 }] } });
    const variant = field(
      await call('addVariant', 201, { token: seller.token, params: { id: product.id }, body: { options: { glaze: 'ink' }, price: 4600 } }),
      (b: { variants: Array<{ id: string }> }) => b.variants.at(-1)!.id,
    );
    await call('addVariant', 404, { token: seller.token, params: { id: nobody }, body: { options: { glaze: 'ink' }, price: 4600 } });
    await call('updateVariant', 200, { token: seller.token, params: { id: product.id, variantId: variant }, body: { price: 4500 } });
    await call('updateVariant', 404, { token: seller.token, params: { id: product.id, variantId: nobody }, body: { price: 4500 } });
    await call('updateProduct', 200, { token: seller.token, params: { id: product.id }, body: { title: 'Speckled mug, oat' } });
    await call('updateProduct', 404, { token: seller.token, params: { id: nobody }, body: { title: 'x' } });
    const first = await call('getProduct', 200, { params: { id: product.id } });
    await call('getProduct', 304, { params: { id: product.id }, headers: { 'if-none-match': first.headers.get('etag')! } });
    await call('getProduct', 404, { params: { id: nobody } });
    await call('getProduct', 400, { params: { id: 'nope' }, invalid: true });
    const list = await call('listProducts', 200, { query: { limit: 5 } });
    await call('listProducts', 304, { query: { limit: 5 }, headers: { 'if-none-match': list.headers.get('etag')! } });
    await call('listProducts', 400, { query: { limit: 1000 }, invalid: true });
    await call('listMyProducts', 200, { token: seller.token });
    await call('listMyProducts', 403, { token: buyer.token });
    // Moderation: a product held with a reason, and released; a shop suspended, and reinstated.
    await call('unpublishProduct', 200, { token: admin, params: { id: product.id }, body: { reason: 'Photos show another maker' } });
    await call('unpublishProduct', 404, { token: admin, params: { id: nobody }, body: { reason: 'x' } });
    await call('getProduct', 404, { params: { id: product.id } });
    await call('releaseProduct', 200, { token: admin, params: { id: product.id } });
    await call('releaseProduct', 409, { token: admin, params: { id: product.id } });
    await call('updateProduct', 200, { token: seller.token, params: { id: product.id }, body: { status: 'published' } });
    await call('suspendShop', 200, { token: admin, params: { id: shopId }, body: { reason: 'Copied designs' } });
    await call('suspendShop', 400, { token: admin, params: { id: shopId }, body: {}, invalid: true });
    await call('reinstateShop', 200, { token: admin, params: { id: shopId } });
    await call('reinstateShop', 409, { token: admin, params: { id: shopId } });
    await call('listCategories', 304, { headers: { 'if-none-match': (await call('listCategories', 200)).headers.get('etag')! } });
    await call('getShop', 304, {
      params: { slug: shopSlug },
      headers: { 'if-none-match': (await call('getShop', 200, { params: { slug: shopSlug } })).headers.get('etag')! },
    });

    // Search.
    const search = await call('searchProducts', 200, { query: { q: 'speckled' } });
    await call('searchProducts', 304, { query: { q: 'speckled' }, headers: { 'if-none-match': search.headers.get('etag')! } });
    await call('searchProducts', 400, { query: { q: '' }, invalid: true });

    // Media: an image, its processing, the file itself.
    const image = multipartBody([{ name: 'image', filename: 'mug.png', contentType: 'image/png', data: await makeImage(640, 480) }]);
    const uploaded = field(
      await call('uploadProductImage', 202, { token: seller.token, params: { id: product.id }, multipart: image, direct: true }),
      (b: { image: { id: string } }) => b.image.id,
    );
    await call('uploadProductImage', 404, { token: seller.token, params: { id: nobody }, multipart: image, direct: true });
    const text = multipartBody([
      { name: 'image', filename: 'mug.png', contentType: 'image/png', data: Buffer.from('not a picture at all') },
    ]);
    await call('uploadProductImage', 415, { token: seller.token, params: { id: product.id }, multipart: text, direct: true });
    await t.drainJobs();
    const images = field(
      await call('listProductImages', 200, { token: seller.token, params: { id: product.id } }),
      (b: { images: Array<{ status: string; urls: { card: string } | null }> }) => b.images,
    );
    await call('listProductImages', 404, { token: seller.token, params: { id: nobody } });
    assert.equal(images[0]?.status, 'ready', 'the image was processed');
    const file = images[0]!.urls!.card.split('/').pop()!;
    const media = await call('getMediaFile', 200, { params: { file } });
    assert.equal(media.headers.get('content-type'), 'image/webp');
    await call('getMediaFile', 304, { params: { file }, headers: { 'if-none-match': media.headers.get('etag')! } });
    await call('getMediaFile', 404, { params: { file: `${'0'.repeat(64)}.webp` } });

    // Inventory.
    const [v1] = product.variants;
    await call('restockVariant', 200, { token: seller.token, params: { variantId: v1!.id }, body: { quantity: 10 } });
    await call('restockVariant', 400, { token: seller.token, params: { variantId: v1!.id }, body: { quantity: -1 }, invalid: true });
    await call('restockVariant', 404, { token: seller.token, params: { variantId: nobody }, body: { quantity: 1 } });
    await call('setVariantStock', 200, { token: seller.token, params: { variantId: variant }, body: { onHand: 3 } });
    await call('setVariantStock', 403, { token: buyer.token, params: { variantId: variant }, body: { onHand: 3 } });
    const stock = await call('getProductStock', 200, { params: { id: product.id } });
    await call('getProductStock', 304, { params: { id: product.id }, headers: { 'if-none-match': stock.headers.get('etag')! } });
    await call('getProductStock', 404, { params: { id: nobody } });
    await call('getMyInventory', 200, { token: seller.token, query: { productId: product.id } });
    await call('getMyInventory', 400, { token: seller.token, invalid: true });

    // Cart: a guest cart by cookie, then the buyer's.
    const guest = await call('setCartLine', 200, { params: { variantId: v1!.id }, body: { quantity: 1 } });
    const guestCookie = guest.headers.get('set-cookie')!.split(';')[0]!;
    await call('getCart', 200, { cookie: guestCookie });
    await call('removeCartLine', 200, { cookie: guestCookie, params: { variantId: v1!.id } });
    await call('removeCartLine', 400, { cookie: guestCookie, params: { variantId: 'nope' }, invalid: true });
    await call('clearCart', 204, { cookie: guestCookie });
    await call('clearCart', 400, { cookie: guestCookie, headers: { 'content-type': 'application/json' }, invalid: true });
    await call('setCartLine', 200, { token: buyer.token, params: { variantId: v1!.id }, body: { quantity: 2 } });
    await call('setCartLine', 404, { token: buyer.token, params: { variantId: nobody }, body: { quantity: 1 } });
    await call('setCartLine', 400, { token: buyer.token, params: { variantId: v1!.id }, body: { quantity: 0 }, invalid: true });
    await call('getCart', 200, { token: buyer.token });

    // Checkout and orders.
    await call('checkout', 400, { token: buyer.token, headers: { 'idempotency-key': `k-${uid()}` }, body: {}, invalid: true });
    await call('checkout', 401, { invalid: true, headers: { 'idempotency-key': `k-${uid()}` }, body: { shippingAddress: ADDRESS } });
    const key = `k-${uid()}`;
    const placed = await call('checkout', 202, {
      token: buyer.token,
      headers: { 'idempotency-key': key },
      body: { shippingAddress: ADDRESS },
    });
    assert.ok(placed.headers.get('location'), 'the accepted order says where to read it');
    await call('checkout', 422, {
      token: buyer.token,
      headers: { 'idempotency-key': key },
      body: { shippingAddress: { ...ADDRESS, name: 'Someone else' } },
    });
    const orderId = field(placed, (b: { order: { id: string } }) => b.order.id);
    await t.drainJobs();
    await call('listMyOrders', 200, { token: buyer.token });
    await call('listMyOrders', 401, { invalid: true });
    await call('getMyOrder', 200, { token: buyer.token, params: { id: orderId } });
    await call('getMyOrder', 404, { token: seller.token, params: { id: orderId } });
    const subOrders = field(
      await call('listShopOrders', 200, { token: seller.token }),
      (b: { items: Array<{ subOrderId: string }> }) => b.items,
    );
    await call('listShopOrders', 403, { token: buyer.token });
    const subOrder = subOrders[0]!.subOrderId;
    await call('getShopOrder', 200, { token: seller.token, params: { subOrderId: subOrder } });
    await call('getShopOrder', 404, { token: seller.token, params: { subOrderId: nobody } });
    await call('getShopOrderPackingSlip', 200, { token: seller.token, params: { subOrderId: subOrder } });
    await call('getShopOrderPackingSlip', 404, { token: seller.token, params: { subOrderId: nobody } });
    await call('advanceShopOrder', 200, { token: seller.token, params: { subOrderId: subOrder }, body: { to: 'fulfilled' } });
    await call('advanceShopOrder', 409, { token: seller.token, params: { subOrderId: subOrder }, body: { to: 'fulfilled' } });
    await call('advanceShopOrder', 200, {
      token: seller.token,
      params: { subOrderId: subOrder },
      body: { to: 'shipped', carrier: 'ups', trackingNumber: '1Z999AA10123456784' },
    });
    await call('cancelMyOrder', 409, { token: buyer.token, params: { id: orderId } });
    await call('cancelMyOrder', 404, { token: buyer.token, params: { id: nobody } });
    // A return: one unit of the line refunded, too much refused, the operator refunds a little, the rest in full.
    const line = { variantId: v1!.id, quantity: 1 };
    await call('refundShopOrder', 200, {
      token: seller.token,
      params: { subOrderId: subOrder },
      headers: { 'idempotency-key': `r-${uid()}` },
      body: { lines: [line], reason: 'Returned' },
    });
    await call('refundShopOrder', 409, {
      token: seller.token,
      params: { subOrderId: subOrder },
      headers: { 'idempotency-key': `r-${uid()}` },
      body: { amount: 1_000_000 },
    });
    await call('searchOrders', 200, { token: admin, query: { order: orderId } });
    await call('searchOrders', 403, { token: seller.token, query: { order: orderId } });
    await call('getOrderAsOperator', 200, { token: admin, params: { id: orderId } });
    await call('getOrderAsOperator', 404, { token: admin, params: { id: nobody } });
    await call('refundOrder', 200, {
      token: admin,
      params: { id: orderId },
      headers: { 'idempotency-key': `r-${uid()}` },
      body: { subOrderId: subOrder, amount: 100, reason: 'Goodwill' },
    });
    await call('refundOrder', 404, {
      token: admin,
      params: { id: nobody },
      headers: { 'idempotency-key': `r-${uid()}` },
      body: { amount: 100 },
    });
    await call('refundShopOrder', 200, { token: seller.token, params: { subOrderId: subOrder } });
    await call('refundShopOrder', 404, { token: seller.token, params: { subOrderId: nobody } });

    // A second order, cancelled by the buyer while it is still cancellable.
    await call('setCartLine', 200, { token: buyer.token, params: { variantId: variant }, body: { quantity: 1 } });
    const another = await call('checkout', 202, {
      token: buyer.token,
      headers: { 'idempotency-key': `k-${uid()}` },
      body: { shippingAddress: ADDRESS },
    });
    await call('cancelMyOrder', 200, { token: buyer.token, params: { id: field(another, (b: { order: { id: string } }) => b.order.id) } });

    // Reporting and exports.
    await t.drainJobs();
    await call('getSellerSummary', 200, { token: seller.token });
    await call('getSellerSummary', 400, { token: seller.token, query: { from: 'yesterday' }, invalid: true });
    await call('getPlatformReport', 200, { token: admin });
    await call('getPlatformReport', 403, { token: seller.token });
    const started = await call('startOrdersExport', 202, { token: seller.token });
    assert.ok(started.headers.get('location'));
    const exportId = field(started, (b: { export: { id: string } }) => b.export.id);
    await call('startOrdersExport', 403, { token: buyer.token });
    await call('downloadExport', 409, { token: seller.token, params: { id: exportId } });
    await t.drainJobs();
    await call('getExport', 200, { token: seller.token, params: { id: exportId } });
    await call('getExport', 404, { token: seller.token, params: { id: nobody } });
    const csv = await call('downloadExport', 200, { token: seller.token, params: { id: exportId } });
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    await call('downloadExport', 404, { token: seller.token, params: { id: nobody } });

    // Webhooks.
    const hook = await call('createWebhook', 201, {
      token: seller.token,
      body: { url: 'http://127.0.0.1:9/atelier', eventTypes: ['order.paid'] },
    });
    assert.ok(hook.headers.get('location'));
    const hookId = field(hook, (b: { endpoint: { id: string } }) => b.endpoint.id);
    await call('createWebhook', 400, { token: seller.token, body: { url: 'not a url', eventTypes: ['order.paid'] }, invalid: true });
    await call('listWebhooks', 200, { token: seller.token });
    await call('listWebhooks', 401, { invalid: true });
    // A paid order gives the endpoint a delivery (refused by the closed port: pending, retried), sent again at once.
    await call('setCartLine', 200, { token: buyer.token, params: { variantId: v1!.id }, body: { quantity: 1 } });
    await call('checkout', 202, { token: buyer.token, headers: { 'idempotency-key': `k-${uid()}` }, body: { shippingAddress: ADDRESS } });
    await t.drainJobs();
    const deliveries = await call('listWebhookDeliveries', 200, { token: seller.token, params: { id: hookId } });
    const deliveryId = field(deliveries, (b: { deliveries: Array<{ id: string }> }) => b.deliveries[0]!.id);
    await call('listWebhookDeliveries', 404, { token: seller.token, params: { id: nobody } });
    await call('redeliverWebhook', 202, { token: seller.token, params: { id: hookId, deliveryId } });
    await call('redeliverWebhook', 404, { token: seller.token, params: { id: hookId, deliveryId: nobody } });
    await call('enableWebhook', 200, { token: seller.token, params: { id: hookId } });
    await call('enableWebhook', 404, { token: seller.token, params: { id: nobody } });
    await call('deleteWebhook', 204, { token: seller.token, params: { id: hookId } });
    await call('deleteWebhook', 404, { token: seller.token, params: { id: hookId } });

    // Operations.
    await call('listFailedJobs', 200, { token: admin });
    await call('listFailedJobs', 403, { token: seller.token });
    await call('listReplicas', 200, { token: admin });
    await call('listReplicas', 401, { invalid: true });

    // The audit log and the operator console (issue 15).
    await t.drainJobs();
    await call('searchAuditLog', 200, { token: admin, query: { limit: 5 } });
    await call('searchAuditLog', 400, { token: admin, query: { cursor: 'abc' } });
    await call('searchAuditLog', 403, { token: seller.token });
    await call('verifyAuditLog', 200, { token: admin });
    await call('verifyAuditLog', 401, { invalid: true });
    await call('getLiveFigures', 200, { token: admin });
    await call('getLiveFigures', 403, { token: seller.token });
    await call('getDataPlacement', 200, { token: admin, query: { rows: 'true' } });
    await call('getDataPlacement', 401, { invalid: true });
    const catalogQueue = t.app.stores.catalog.pool;
    const failedJob = async () => {
      const { rows } = await catalogQueue.query<{ id: string }>(
        `select id::text from graphile_worker.add_job('contract.failed', '{}'::json, max_attempts := 1)`,
      );
      await catalogQueue.query('update graphile_worker._private_jobs set attempts = max_attempts where id = $1', [rows[0]!.id]);
      return rows[0]!.id;
    };
    const retried = await failedJob();
    await call('retryFailedJob', 200, { token: admin, params: { database: 'catalog', id: retried } });
    await call('retryFailedJob', 409, { token: admin, params: { database: 'catalog', id: retried } });
    await call('retryFailedJob', 404, { token: admin, params: { database: 'catalog', id: '999999999' } });
    await call('discardFailedJob', 409, { token: admin, params: { database: 'catalog', id: retried } });
    await call('discardFailedJob', 204, { token: admin, params: { database: 'catalog', id: await failedJob() } });
    await call('discardFailedJob', 403, { token: seller.token, params: { database: 'catalog', id: retried } });
    await catalogQueue.query('delete from graphile_worker._private_jobs where id = $1', [retried]);

    // Images again: alt text and place in the order, then delete.
    await call('updateProductImage', 200, {
      token: seller.token,
      params: { id: product.id, imageId: uploaded },
      body: { alt: 'A speckled mug', position: 0 },
    });
    await call('updateProductImage', 404, { token: seller.token, params: { id: product.id, imageId: nobody }, body: { alt: 'Gone' } });
    await call('deleteProductImage', 204, { token: seller.token, params: { id: product.id, imageId: uploaded } });
    await call('deleteProductImage', 404, { token: seller.token, params: { id: product.id, imageId: uploaded } });

    // Shop pictures (straight to the server: a binary body), by a seller with a shop and one without.
    const logo = multipartBody([{ name: 'image', filename: 'logo.png', contentType: 'image/png', data: await makeImage(200, 200) }]);
    await call('uploadShopImage', 202, { token: seller.token, params: { slot: 'logo' }, multipart: logo, direct: true });
    await call('uploadShopImage', 415, { token: seller.token, params: { slot: 'banner' }, multipart: text, direct: true });

    // A customer becomes a seller (last: the buyer's role changes), and a seller cannot again.
    await call('becomeSeller', 200, { token: buyer.token });
    await call('becomeSeller', 403, { token: seller.token });
    await call('uploadShopImage', 404, { token: buyer.token, params: { slot: 'logo' }, multipart: logo, direct: true });
    await call('getMyShop', 404, { token: buyer.token });

    // Sign out last: the session is gone after.
    const out = await call('logOut', 204, { token: seller.token });
    assert.ok(out.headers.get('set-cookie'));
    await call('logOut', 400, { raw: '{', invalid: true });

    assert.deepEqual(violations, [], `Prism found answers the document does not allow:\n${violations.join('\n')}`);
    const all = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    const unexercised = all.filter((id) => !seen.has(id));
    assert.deepEqual(unexercised, [], 'every operation in the document has a step in this flow');
    // An error the flow can cause: one declared besides 429 and 503, which only load causes (the
    // rate-limit and load-shedding tests check those answers).
    const failsAlone = (id: string) => {
      const { method, template } = operation(id);
      const responses = (doc.paths[template]![method.toLowerCase()] as unknown as { responses: Record<string, unknown> }).responses;
      return Object.keys(responses).some((s) => /^4/.test(s) && s !== '429');
    };
    const withoutError = all.filter((id) => failsAlone(id) && ![...(seen.get(id) ?? [])].some((s) => s >= 400));
    const withoutSuccess = all.filter((id) => ![...(seen.get(id) ?? [])].some((s) => s < 400));
    assert.deepEqual(
      { withoutError, withoutSuccess },
      { withoutError: [], withoutSuccess: [] },
      'each operation is seen to succeed and to fail',
    );
  },
);
