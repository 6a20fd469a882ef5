import assert from 'node:assert/strict';
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
