import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { ADDRESS, checkout, lines, listing, signUpMany, type Actor, type Listing } from '../checkout/support.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { acceptedOrders, assertOkOrUnavailable, assertUnavailable, proxyToTestServer, recoverAndCheck, sleep } from './support.ts';

/**
 * Resiliency matrix, one shard database (docs/resiliency.md): the app reaches physical shard
 * `shard0` through a fault proxy; the catalog and `shard1` directly. Customers whose data lives on
 * the other shard are unaffected; those on the faulty one get 503 with Retry-After for what needs
 * their data (signed-in requests: checkout, orders), and nothing is left half-written: every unit
 * of stock held is held by an accepted order.
 */

let proxy: FaultProxy;
let t: TestApp;
let item: Listing;
/** Customers by the physical shard that holds their data. */
let onFaulty: Actor[];
let onHealthy: Actor[];
/** Orders accepted (202) so far, one unit each. */
const accepted = acceptedOrders();

const reachable = () => sql`select 1`.execute(t.app.stores.shards.databases.find((d) => d.name === 'shard0')!.db).then(() => true);
const buy = (buyer: Actor, key = `k-${Date.now()}-${Math.random()}`) =>
  checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS }, key);
const myOrders = (buyer: Actor) => t.server.inject({ method: 'GET', url: '/api/v1/orders', headers: buyer.headers });
const myCart = (buyer: Actor) => t.server.inject({ method: 'GET', url: '/api/v1/cart', headers: buyer.headers });
const counted = (res: LightMyRequestResponse) => accepted.note(res);

before(async () => {
  proxy = await proxyToTestServer();
  // Session lookups are not cached here, so a customer on the faulty shard meets the fault at once.
  t = await createTestApp({ SESSION_CACHE_SECONDS: '0', PG_STATEMENT_TIMEOUT_MS: '2000' }, { via: { shard0: proxy.address } });
  item = await listing(t, [{ price: 1200, stock: 500 }]);
  const buyers = await signUpMany(t.server, 8);
  const shardOf = (a: Actor) => t.app.stores.shards.forId(a.id).name;
  onFaulty = buyers.filter((b) => shardOf(b) === 'shard0');
  onHealthy = buyers.filter((b) => shardOf(b) === 'shard1');
  // 8 random customers all on one of two shards: 1 in 128; sign up more rather than fail.
  while (onFaulty.length === 0 || onHealthy.length === 0) {
    const [b] = await signUpMany(t.server, 1);
    (shardOf(b!) === 'shard0' ? onFaulty : onHealthy).push(b!);
  }
});

after(async () => {
  await t?.close();
  await proxy?.close();
});

/** After each fault: the database back, jobs run, invariants, and the stock accounted for. */
const after_ = () => recoverAndCheck(t, proxy, reachable, { variantId: item.variantIds[0]!, accepted: accepted.ids });

test('shard down: customers on the other shard unaffected, those on it get 503 with Retry-After, nothing half-written', async () => {
  proxy.set({ kind: 'down' });
  try {
    const healthy = onHealthy[0]!;
    const faulty = onFaulty[0]!;
    assert.equal(counted(await buy(healthy)).statusCode, 202);
    assert.equal((await myOrders(healthy)).statusCode, 200);
    assert.equal((await myCart(healthy)).statusCode, 200);
    assert.equal((await t.server.inject({ method: 'GET', url: `/api/v1/products/${item.productId}` })).statusCode, 200);

    // A seller is a customer of the shards too: their session lives on their account's shard.
    const edit = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/products/${item.productId}`,
      headers: item.seller.headers,
      payload: { title: 'Edited during a shard outage' },
    });
    if (t.app.stores.shards.forId(item.seller.id).name === 'shard0') assertUnavailable(edit, 'a seller on the faulty shard');
    else assert.equal(edit.statusCode, 200, edit.body);

    assertUnavailable(counted(await buy(faulty)), 'checkout on the faulty shard');
    assertUnavailable(await myOrders(faulty), 'orders on the faulty shard');
    // Pages with optional sign-in serve a customer whose session cannot be read as a visitor.
    const cart = await myCart(faulty);
    assert.equal(cart.statusCode, 200, cart.body);
    assert.deepEqual((cart.json() as { lines: unknown[] }).lines, []);
  } finally {
    await after_();
  }
});

test('shard hung: the other shard unaffected, requests on it answer 503 within a bounded time', async () => {
  proxy.set({ kind: 'hang' });
  try {
    assert.equal(counted(await buy(onHealthy[0]!)).statusCode, 202);
    const started = Date.now();
    const answers = await Promise.all([buy(onFaulty[0]!).then(counted), myOrders(onFaulty[0]!)]);
    const took = Date.now() - started;
    answers.forEach((res, i) => assertUnavailable(res, ['checkout', 'orders'][i]!));
    // The pool's connect timeout (5 s) or the client's query timeout (statement timeout + 1 s): never forever.
    assert.ok(took < 20_000, `a hung shard held requests for ${took} ms`);
  } finally {
    await after_();
  }
});

test('shard slow: everything works on both shards, only slower', async () => {
  proxy.set({ kind: 'latency', ms: 40 });
  try {
    const answers = await Promise.all([buy(onFaulty[0]!), buy(onHealthy[0]!), myOrders(onFaulty[0]!), myCart(onFaulty[0]!)]);
    answers.forEach(counted);
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [202, 202, 200, 200],
      answers.map((r) => r.body.slice(0, 200)).join('\n'),
    );
  } finally {
    await after_();
  }
});

test('shard flapping: requests succeed or fail cleanly with 503, and retried checkouts go through once', async () => {
  const refusedBefore = proxy.stats().refused;
  proxy.set({ kind: 'flap', periodMs: 300 });
  const answers: Array<{ what: string; res: LightMyRequestResponse }> = [];
  const failedKeys: Array<{ buyer: Actor; key: string }> = [];
  try {
    const until = Date.now() + 3000;
    for (let round = 0; Date.now() < until; round++) {
      const buyer = onFaulty[round % onFaulty.length]!;
      const key = `flap-${round}-${Date.now()}`;
      const [bought, orders, other] = await Promise.all([buy(buyer, key), myOrders(buyer), buy(onHealthy[0]!)]);
      counted(bought);
      counted(other);
      answers.push({ what: `checkout ${round}`, res: bought }, { what: `orders ${round}`, res: orders });
      // The other shard never flaps.
      assert.equal(other.statusCode, 202, other.body);
      if (bought.statusCode === 503) failedKeys.push({ buyer, key });
      await sleep(50);
    }
  } finally {
    await recoverAndCheck(t, proxy, reachable);
  }
  assert.ok(proxy.stats().refused > refusedBefore, 'the proxy refused connections: the fault was real');
  assertOkOrUnavailable(answers, [200, 202]);
  for (const { buyer, key } of failedKeys) assert.equal(counted(await buy(buyer, key)).statusCode, 202);
  await after_();
});
