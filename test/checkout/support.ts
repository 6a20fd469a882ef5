import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../support/test-app.ts';

/** Helpers shared by the checkout end-to-end tests (not itself a test file). */

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

import { signUp, type Actor } from '../support/accounts.ts';
export { signUp, type Actor };

export const ADDRESS = { name: 'Ada Maker', line1: '1 Loom Lane', city: 'Lyon', postalCode: '69001', country: 'FR' } as const;

/** `n` accounts, signed up in parallel batches (argon2 makes each sign-up deliberately slow). */
export async function signUpMany(server: FastifyInstance, n: number, role: 'seller' | 'customer' = 'customer'): Promise<Actor[]> {
  const out: Actor[] = [];
  while (out.length < n) {
    const batch = Math.min(20, n - out.length);
    out.push(...(await Promise.all(Array.from({ length: batch }, () => signUp(server, role)))));
  }
  return out;
}

export type Listing = Readonly<{ seller: Actor; shopId: string; productId: string; variantIds: string[]; prices: number[] }>;

/** A seller with a shop and one published product whose variants have the given prices and stock. */
export async function listing(t: TestApp, variants: ReadonlyArray<{ price: number; stock: number }>): Promise<Listing> {
  const seller = await signUp(t.server, 'seller');
  const slug = unique('shop');
  const shop = await t.app.catalog.service.createShop(seller.id, { slug, name: `Shop ${slug}` });
  const product = await t.app.catalog.service.createProduct(seller.id, {
    title: `Bowl ${slug}`,
    description: 'Thrown by hand',
    status: 'published',
    variants: variants.map((v, i) => ({ options: { size: `S${i}` }, price: v.price })),
  });
  const variantIds = product.variants.map((v) => v.id);
  for (const [i, v] of variants.entries()) if (v.stock > 0) await t.app.inventory.service.restock(variantIds[i]!, v.stock);
  return { seller, shopId: shop.id, productId: product.id, variantIds, prices: variants.map((v) => v.price) };
}

export function checkout(
  server: FastifyInstance,
  actor: Actor,
  body: Record<string, unknown>,
  key: string | null = unique('key'),
): Promise<LightMyRequestResponse> {
  return server.inject({
    method: 'POST',
    url: '/api/v1/checkout',
    headers: { ...actor.headers, ...(key === null ? {} : { 'idempotency-key': key }) },
    payload: body,
  });
}

export const lines = (...l: Array<[string, number]>) => l.map(([variantId, quantity]) => ({ variantId, quantity }));

export type Accepted = { order: { id: string; status: string; total: { amount: number; currency: string } }; statusUrl: string };

export async function orderStatus(t: TestApp, orderId: string): Promise<string | null> {
  return t.app.orders.service.getOrderStatus(orderId);
}

export function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json<{ error: { code: string; field?: string } }>();
  assert.equal(body.error.code, code, res.body);
  if (field !== undefined) assert.equal(body.error.field, field);
}

/** Every row of the orders tables of every shard, for "nothing was written" and "unchanged" checks. */
export async function ordersSnapshot(t: TestApp): Promise<string> {
  const parts: unknown[] = [];
  for (const shard of t.app.stores.shards.databases) {
    for (const table of ['orders', 'sub_orders', 'order_lines', 'order_events', 'orders_idempotency', 'orders_seller_index']) {
      const { rows } = await shard.pool.query(`select * from ${table} order by 1, 2`);
      parts.push(shard.name, table, rows);
    }
  }
  return JSON.stringify(parts);
}

/** Makes every pending job due now (a stand-in for waiting out the retry backoff). */
export async function makeJobsDue(t: TestApp): Promise<void> {
  for (const handle of t.app.stores.all()) {
    await handle.pool.query(
      "update graphile_worker._private_jobs set run_at = now() where run_at > now() and task_id not in (select id from graphile_worker._private_tasks where identifier = 'orders.sweep')",
    );
  }
}

/**
 * A proxy in front of the simulated provider that forwards every request, and swallows the answer
 * of the charges `swallow` names (by their count from 1): the provider records such a charge, and
 * the worker is still waiting for its answer when a test kills it. That is the window between
 * "charged" and "order marked paid".
 */
export async function chargeProxy(target: string, swallow: (nth: number) => boolean): Promise<{ url: string; close(): Promise<void> }> {
  let charges = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const silent = req.method === 'POST' && (req.url ?? '').startsWith('/v1/charges') && swallow(++charges);
      void fetch(new URL(req.url ?? '/', target), {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) }),
      }).then(async (upstream) => {
        const text = await upstream.text();
        if (!silent) res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Polls `check` every 100 ms until it holds; after `ms`, fails naming `what` and showing `output` (a process's). */
export async function until(what: string, check: () => Promise<boolean> | boolean, ms: number, output?: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${output ? `\n--- process output ---\n${output()}` : ''}`);
}
