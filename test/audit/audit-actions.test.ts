import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createProduct, sellerWithShop, signUpAdmin, type Actor } from '../../src/modules/catalog/catalog.test-support.ts';
import { makeImage, multipartBody } from '../../src/modules/media/media.testing.ts';
import type { AuditEntry, AuditPage } from '../../src/modules/audit/index.ts';

/**
 * Sellers' actions outside catalog, identity and orders each leave one audit entry with the
 * fields they changed: stock (restock, set), product images (upload, delete), webhook endpoints
 * (create, delete, enable). A refused action leaves none.
 */
let t: TestApp;
let admin: Actor;
let seller: Actor & { shopId: string };
let productId: string;
let variantId: string;

before(async () => {
  t = await createTestApp({ WEBHOOKS_ALLOW_INSECURE: 'true' });
  admin = await signUpAdmin(t);
  seller = await sellerWithShop(t.server);
  const product = await createProduct(t.server, seller);
  productId = product.id;
  variantId = product.variants[0]!.id;
  await t.drainJobs();
});
after(async () => {
  await t?.close();
});

const api = (method: InjectOptions['method'], url: string, who: Actor, payload?: unknown): Promise<LightMyRequestResponse> =>
  t.server.inject({
    method,
    url: `/api/v1${url}`,
    headers: who.headers,
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });

/** The entries of one target, oldest first, once the events' jobs have run. */
async function entriesOf(targetType: string, targetId: string): Promise<AuditEntry[]> {
  await t.drainJobs();
  const res = await api('GET', `/admin/audit?targetType=${targetType}&targetId=${targetId}`, admin);
  assert.equal(res.statusCode, 200, res.body);
  return res.json<AuditPage>().items.reverse();
}

const summary = (e: AuditEntry) => ({ action: e.action, actor: e.actor.accountId, before: e.before, after: e.after });

describe('audited seller actions', () => {
  test('stock: restock and set, with the on-hand count before and after; a refused set leaves nothing', async () => {
    assert.equal((await api('POST', `/inventory/variants/${variantId}/restock`, seller, { quantity: 7 })).statusCode, 200);
    assert.equal((await api('PUT', `/inventory/variants/${variantId}`, seller, { onHand: 3 })).statusCode, 200);
    // Another seller's variant: refused, and not audited.
    const other = await sellerWithShop(t.server);
    assert.equal((await api('PUT', `/inventory/variants/${variantId}`, other, { onHand: 1 })).statusCode, 403);
    assert.deepEqual((await entriesOf('variant', variantId)).map(summary), [
      { action: 'stock.restocked', actor: seller.id, before: { onHand: 0 }, after: { onHand: 7 } },
      { action: 'stock.set', actor: seller.id, before: { onHand: 7 }, after: { onHand: 3 } },
    ]);
  });

  test('product images: upload and delete', async () => {
    const { payload, headers } = multipartBody([
      { name: 'alt', value: 'A scarf on a chair' },
      { name: 'image', filename: 'scarf.png', contentType: 'image/png', data: await makeImage(320, 240) },
    ]);
    const uploaded = await t.server.inject({
      method: 'POST',
      url: `/api/v1/products/${productId}/images`,
      payload,
      headers: { ...headers, ...seller.headers },
    });
    assert.equal(uploaded.statusCode, 202, uploaded.body);
    const imageId = uploaded.json<{ image: { id: string } }>().image.id;
    assert.equal((await api('DELETE', `/products/${productId}/images/${imageId}`, seller)).statusCode, 204);
    const entries = await entriesOf('image', imageId);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['image.uploaded', 'image.deleted'],
    );
    assert.equal(entries[0]!.before, null);
    assert.deepEqual(
      { productId: entries[0]!.after!.productId, alt: entries[0]!.after!.alt, width: entries[0]!.after!.width },
      { productId, alt: 'A scarf on a chair', width: 320 },
    );
    assert.equal(entries[1]!.after, null);
    assert.equal(entries[1]!.before!.productId, productId);
  });

  test('webhook endpoints: create (never the secret), enable after being disabled, delete', async () => {
    const created = await api('POST', '/seller/webhooks', seller, { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.paid'] });
    assert.equal(created.statusCode, 201, created.body);
    const { endpoint, secret } = created.json<{ endpoint: { id: string }; secret: string }>();
    // Disabled as a day of failures would leave it (the seller's shard).
    await sql`update webhook_endpoints set status = 'disabled', disabled_at = now(), disabled_reason = 'failing for a day',
      consecutive_failures = 40 where id = ${endpoint.id}`.execute(t.app.stores.shards.forId(seller.id).db);
    assert.equal((await api('POST', `/seller/webhooks/${endpoint.id}/enable`, seller)).statusCode, 200);
    assert.equal((await api('DELETE', `/seller/webhooks/${endpoint.id}`, seller)).statusCode, 204);
    const entries = await entriesOf('webhook_endpoint', endpoint.id);
    assert.deepEqual(entries.map(summary), [
      {
        action: 'webhook.created',
        actor: seller.id,
        before: null,
        after: { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.paid'], status: 'active' },
      },
      {
        action: 'webhook.enabled',
        actor: seller.id,
        before: { status: 'disabled', consecutiveFailures: 40, disabledReason: 'failing for a day' },
        after: { status: 'active', consecutiveFailures: 0, disabledReason: null },
      },
      {
        action: 'webhook.deleted',
        actor: seller.id,
        before: { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.paid'], status: 'active' },
        after: null,
      },
    ]);
    assert.ok(!JSON.stringify(entries).includes(secret), 'the signing secret is not in the log');
    const verdict = await api('GET', '/admin/audit/verify', admin);
    assert.equal(verdict.json<{ ok: boolean }>().ok, true);
  });
});
