import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { TestApp } from '../../../test/support/test-app.ts';

/** Helpers shared by the catalog tests (not itself a test file). Accounts are made through HTTP. */

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

import { signUp, type Actor } from '../../../test/support/accounts.ts';
export { signUp, type Actor };

export async function signUpAdmin(t: TestApp): Promise<Actor> {
  const email = `${unique('admin')}@example.test`;
  await t.app.identity.service.createAccount({ email, password: 'correct horse battery', name: 'Admin', role: 'admin' });
  const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { account: { id: string }; token: string };
  return { id: body.account.id, token: body.token, headers: { authorization: `Bearer ${body.token}` } };
}

/** A seller with an open shop. */
export async function sellerWithShop(
  server: FastifyInstance,
  name = unique('shop'),
): Promise<Actor & { shopSlug: string; shopId: string }> {
  const seller = await signUp(server, 'seller');
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/shops',
    headers: seller.headers,
    payload: { slug: name, name: `Shop ${name}` },
  });
  assert.equal(res.statusCode, 201, res.body);
  return { ...seller, shopSlug: name, shopId: (res.json() as { id: string }).id };
}

export type ProductJson = {
  id: string;
  title: string;
  description: string;
  status: string;
  categoryId: string | null;
  priceMin: { amount: number; currency: string };
  variants: Array<{ id: string; sku: string; price: { amount: number; currency: string }; position: number }>;
};

export async function createProduct(server: FastifyInstance, actor: Actor, over: Record<string, unknown> = {}): Promise<ProductJson> {
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/products',
    headers: actor.headers,
    payload: {
      title: 'Handwoven scarf',
      description: 'Soft wool',
      status: 'published',
      variants: [{ options: { size: 'M' }, price: 2500 }],
      ...over,
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as ProductJson;
}

export function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { error: { code: string; field?: string } };
  assert.equal(body.error.code, code, res.body);
  if (field !== undefined) assert.equal(body.error.field, field, res.body);
}

/** Row counts of the catalog tables, to prove a refused request wrote nothing. */
export async function catalogCounts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['catalog_categories', 'catalog_shops', 'catalog_products', 'catalog_variants']) {
    out[table] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.app.stores.catalog.db)).rows[0]!.n;
  }
  return out;
}
